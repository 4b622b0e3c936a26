// prepareBatch's tensors as onnxruntime-node feeds: what every caller of the model passes to run().
import * as ort from "onnxruntime-node";
import { prepareBatch, type PrmStepInput } from "./features";

/** The model's input feeds for a batch of steps. */
export function ortFeeds(steps: readonly PrmStepInput[]): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, { data, dims }] of Object.entries(prepareBatch(steps))) feeds[name] = new ort.Tensor("float32", data, dims);
  return feeds;
}
