// Per model version: queue time vs compute time and batch sizes, as OpenTelemetry histograms
// (exported when a metrics exporter is configured; ListModels carries the same totals).
import { metrics } from "@opentelemetry/api";
import type { BatchObserver } from "./batcher";

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
