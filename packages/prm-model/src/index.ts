// @sketchvl/prm-model: the default FinePRM model's input encoding (the serving contract), plus the
// network, training, ONNX export and evaluation code that builds models/finepr/<version>.
export {
  FEATURE_SET,
  LABELS,
  INPUTS,
  LOCAL_SIZE,
  CONTEXT_SIZE,
  ENDS_SIZE,
  META_FEATURES,
  prepareBatch,
  encodeStep,
  type Label,
  type PrmStepInput,
  type InputName,
  type TensorData,
} from "./features";
export { stepGeometry, ACTION_TYPES, type StepGeometry } from "./geometry";
export { PATCH_CHANNELS } from "./patches";
export { INTENT_FEATURES, intentFeatures } from "./intent";
export { Layout, Workspace, defaultArchitecture, initParams, predict, type Architecture } from "./network";
export { exportOnnx, OPSET, OUTPUT_NAME } from "./onnx-export";
export { train, defaultTrainOptions, type TrainOptions, type TrainResult } from "./train";
export { buildDataset, shardsOf, DATASET_TYPES, SHARD_SIZE, type EncodedDataset } from "./dataset";
export { ortFeeds } from "./ort-feeds";
export { evaluatePredictions, runOnnx, type EvalReport, type Metrics } from "./evaluate";
