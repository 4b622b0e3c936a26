// gRPC handlers of PolicyService: wiring only; generation is in generator.ts and rollout/, model
// versions in versions.ts. Typed errors become statuses in @sketchvl/runtime.
import { GenerateRequest, type GenerateResponse, type PolicyServiceImplementation, type PolicyStatus, type StreamGenerateResponse } from "@sketchvl/contract";
import type { VersionView } from "@sketchvl/model-repository";
import { AsyncQueue } from "@sketchvl/async-queue";
import { IdempotencyCache } from "@sketchvl/runtime";
import { InvalidArgumentError } from "@sketchvl/errors";
import type { Generator } from "./generator";
import type { PolicyVersion, PolicyVersions } from "./versions";

export function policyHandlers(generator: Generator, versions: PolicyVersions, idempotencyEntries: number): PolicyServiceImplementation {
  const answers = new IdempotencyCache<GenerateResponse>({ maxEntries: idempotencyEntries, maxBytes: 256 * 1024 * 1024, sizeOf: responseBytes });

  return {
    async generate(request, context) {
      return answers.run(request.requestId, GenerateRequest.encode(request).finish(), () => generator.generate(request, context.signal));
    },

    // Each turn as it is drawn, each rollout as it ends.
    async *streamGenerate(request, context) {
      if (!request.request) throw new InvalidArgumentError("request", "the GenerateRequest is required");
      const out = new AsyncQueue<StreamGenerateResponse>();
      generator
        .generate(request.request, context.signal, {
          turn: (rolloutIndex, turn) => out.push({ event: { $case: "turn", value: { rolloutIndex, turn } } }),
          rollout: (rollout) => out.push({ event: { $case: "rollout", value: rollout } }),
        })
        .then(
          () => out.end(),
          (err) => out.fail(err),
        );
      yield* out;
    },

    async loadPolicy(request) {
      if (!request.model) throw new InvalidArgumentError("model", "name the policy to load");
      return { policy: toStatus(await versions.load(request.model, request.version)) };
    },

    async unloadPolicy(request) {
      if (!request.model) throw new InvalidArgumentError("model", "name the policy to unload");
      return { unloaded: (await versions.unload(request.model, request.version)).map(toStatus) };
    },

    async listPolicies() {
      return { policies: versions.list().map(toStatus) };
    },
  };
}

function toStatus(v: VersionView<PolicyVersion>): PolicyStatus {
  return { model: v.model, version: v.version, backend: v.backend, state: v.state, rollouts: v.servable?.rollouts ?? 0, tokens: v.servable?.tokens ?? 0 };
}

function responseBytes(r: GenerateResponse): number {
  return r.rollouts.reduce((n, x) => n + x.text.length * 2 + x.tokenIds.length * 16 + x.turns.reduce((m, t) => m + t.modelInput.length, 0), 0);
}
