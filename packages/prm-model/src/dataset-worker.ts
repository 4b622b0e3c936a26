// Worker thread of buildDataset: generates, draws and encodes one shard per message into the
// shared input arrays, and answers with the shard's per-sample facts.
import { parentPort, workerData } from "node:worker_threads";
import { encodeShard, type ShardSpec } from "./dataset";
import type { InputName } from "./features";

const { inputs } = workerData as { inputs: Record<InputName, Float32Array> };

parentPort!.on("message", (shard: ShardSpec) => {
  encodeShard(shard, inputs).then(
    (meta) => parentPort!.postMessage(meta),
    (err: unknown) => {
      // Rethrown outside the promise: the worker dies with an "error" event the parent rejects on.
      setImmediate(() => {
        throw err;
      });
    },
  );
});
