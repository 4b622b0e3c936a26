// Per model version: queue time vs compute time and batch sizes, as OpenTelemetry histograms
// (exported when a metrics exporter is configured; ListModels carries the same totals).
import { metrics } from "@opentelemetry/api";
import type { BatchObserver, BatcherStats } from "./batcher";

const meter = metrics.getMeter("sketchvl-prm");
const queueMs = meter.createHistogram("prm.queue.duration", { unit: "ms", description: "time a step waited for its batch" });
const computeMs = meter.createHistogram("prm.compute.duration", { unit: "ms", description: "time of one batch in the backend" });
const batchSize = meter.createHistogram("prm.batch.size", { description: "steps per backend call" });

export function observeBatches(model: string, version: string): BatchObserver {
  const attributes = { "prm.model": model, "prm.version": version };
  return ({ size, queueMs: waited, computeMs: computed }) => {
    queueMs.record(waited, attributes);
    computeMs.record(computed, attributes);
    batchSize.record(size, attributes);
  };
}

/** Steps waiting for a batch, and steps refused with a full queue, per loaded model version. */
export function observeQueues(read: () => Array<{ model: string; version: string; stats?: (BatcherStats & { queued: number }) | undefined }>): void {
  const depth = meter.createObservableGauge("prm.queue.depth", { description: "steps waiting for their batch" });
  const rejected = meter.createObservableCounter("prm.queue.rejected", { description: "steps refused because the queue was full" });
  meter.addBatchObservableCallback(
    (result) => {
      for (const v of read()) {
        if (!v.stats) continue;
        const attributes = { "prm.model": v.model, "prm.version": v.version };
        result.observe(depth, v.stats.queued, attributes);
        result.observe(rejected, v.stats.rejected, attributes);
      }
    },
    [depth, rejected],
  );
}
