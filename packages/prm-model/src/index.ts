// @sketchvl/prm-model: what the PRM service and the benchmarks need to feed the ONNX graph in
// models/finepr/<version>: the input encoding and its name. Dataset building, the driver of the
// PyTorch trainer (train/), evaluation and the CLI are this package's own business and not exported.
export { FEATURE_SET, prepareBatch, preloadEncoding, type PrmStepInput } from "./features";
export { ortFeeds } from "./ortFeeds";
