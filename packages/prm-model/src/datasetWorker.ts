// Worker thread of buildDataset: generates, draws and encodes one shard per message, writes its rows
// into the dataset folder's .npy files, and answers with the shard's per-sample facts.
import { parentPort, workerData } from "node:worker_threads";
import { encodeShard, type ShardSpec } from "./dataset";

const { dir } = workerData as { dir: string };

parentPort!.on("message", (shard: ShardSpec) => {
  encodeShard(shard, dir).then(
    (meta) => parentPort!.postMessage(meta),
    (err: unknown) => {
      // Rethrown outside the promise: the worker dies with an "error" event the parent rejects on.
      setImmediate(() => {
        throw err;
      });
    },
  );
});
