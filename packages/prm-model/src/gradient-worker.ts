// Worker thread of GradientPool: computes the micro-batch gradients it is sent into shared slots.
import { parentPort, workerData } from "node:worker_threads";
import { runMicroBatch, type GradientSetup, type MicroBatchJob } from "./gradients";
import { Layout, Workspace } from "./network";

const setup = workerData as GradientSetup;
const layout = new Layout(setup.arch);
const ws = new Workspace(layout, setup.microBatch);

parentPort!.on("message", (jobs: MicroBatchJob[]) => {
  parentPort!.postMessage(jobs.map((j) => runMicroBatch(setup, layout, ws, j)));
});
