// gRPC handlers of PrmService: request checks and wiring; scoring is in modelManager / backends.
import type { ModelStats, ModelStatus, PrmServiceImplementation, StreamScoresResponse } from "@sketchvl/contract";
import { type ImageLimits, type ImageStore, resolveImage } from "@sketchvl/drawing";
import { AsyncQueue } from "@sketchvl/async-queue";
import { describeFailure } from "@sketchvl/runtime";
import { InvalidArgumentError } from "@sketchvl/errors";
import { QueueWaitAborted } from "./batcher";
import type { ChartJudges } from "./chartJudges";
import { judgeChartCode } from "./chartJudges/judgeChartCode";
import type { ModelManager, ModelStatusView } from "./modelManager";
import { toPrmStep, toPrmSteps, toStepScore } from "./scoring";

export interface PrmHandlerOptions {
  defaultModel: string;
  maxStepsPerRequest: number;
  maxStepsInFlightPerStream: number;
  limits: ImageLimits;
  maxChartCodeChars: number;
}

export function prmHandlers(manager: ModelManager, store: ImageStore, options: PrmHandlerOptions, judges: ChartJudges): PrmServiceImplementation {
  const modelOf = (name: string) => name || options.defaultModel;

  return {
    async storeImage(request) {
      const { digest, image } = await resolveImage(request.image, "image", store, options.limits);
      return { image: { digest, width: image.width, height: image.height, image: undefined } };
    },

    async scoreSteps(request, context) {
      if (request.steps.length > options.maxStepsPerRequest) {
        throw new InvalidArgumentError("steps", `${request.steps.length} steps; the limit is ${options.maxStepsPerRequest}`, "LIMIT_EXCEEDED");
      }
      const steps = await toPrmSteps(request.steps, store, options.limits);
      const model = modelOf(request.model);
      const submitted = steps.map((step) => manager.submit(model, step, context.signal));
      const results = await Promise.all(submitted.map((s) => s.result));
      return { scores: results.map((p, i) => toStepScore(steps[i].id, p, model, submitted[i].version.version)) };
    },

    // Scores return as each is ready; a failed step answers with a StepError and the stream goes on.
    async *streamScores(requests, context) {
      const out = new AsyncQueue<StreamScoresResponse>();
      let pending = 0;
      let inputDone = false;
      const settle = () => {
        if (inputDone && pending === 0) out.end();
      };
      // Backpressure: past this many steps in flight the stream stops reading, so a fast client
      // cannot pile up decoded images without bound (the batcher's queue bound is per model).
      let slotFreed: (() => void) | undefined;
      const scoreOne = async (model: string, request: Parameters<typeof toPrmStep>[0]) => {
        const step = await toPrmStep(request, "step", store, options.limits);
        const { version, result } = manager.submit(model, step, context.signal);
        return toStepScore(step.id, await result, model, version.version);
      };
      void (async () => {
        for await (const request of requests) {
          while (pending >= options.maxStepsInFlightPerStream) await new Promise<void>((resolve) => (slotFreed = resolve));
          pending++;
          const id = request.step?.id ?? "";
          scoreOne(modelOf(request.model), request.step)
            .then(
              (score) => out.push({ result: { $case: "score", value: score } }),
              (err) => {
                if (err instanceof QueueWaitAborted) return; // the caller is gone
                const failure = describeFailure(err);
                if (!failure) return out.fail(err);
                out.push({ result: { $case: "error", value: { id, ...failure } } });
              },
            )
            .finally(() => {
              pending--;
              slotFreed?.();
              slotFreed = undefined;
              settle();
            });
        }
        inputDone = true;
        settle();
      })().catch((err) => out.fail(err));
      yield* out;
    },

    async loadModel(request) {
      if (!request.model) throw new InvalidArgumentError("model", "name the model to load");
      return { model: toModelStatus(await manager.load(request.model, request.version)) };
    },

    async unloadModel(request) {
      if (!request.model) throw new InvalidArgumentError("model", "name the model to unload");
      return { unloaded: (await manager.unload(request.model, request.version)).map(toModelStatus) };
    },

    async listModels() {
      return { models: manager.list().map(toModelStatus) };
    },

    judgeChartCode(request, context) {
      return judgeChartCode(request, judges, store, { ...options.limits, maxCodeChars: options.maxChartCodeChars }, context.signal);
    },
  };
}

function toModelStatus(v: ModelStatusView): ModelStatus {
  const stats: ModelStats | undefined = v.stats && {
    requests: v.stats.requests,
    batches: v.stats.batches,
    rejected: v.stats.rejected,
    queueMsTotal: v.stats.queueMsTotal,
    computeMsTotal: v.stats.computeMsTotal,
  };
  return { model: v.model, version: v.version, backend: v.backend, state: v.state, stats };
}
