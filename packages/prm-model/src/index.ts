// @sketchvl/prm-model: the default FinePRM model's serving contract, i.e. what a service needs to
// feed the ONNX graph in models/finepr/<version>. The network, training, ONNX export and evaluation
// code behind `cli.js` is this package's own business and not exported.
export { FEATURE_SET, LABELS, INPUTS, prepareBatch, preloadEncoding, type Label, type PrmStepInput, type InputName, type TensorData } from "./features";
export { ortFeeds } from "./ort-feeds";
