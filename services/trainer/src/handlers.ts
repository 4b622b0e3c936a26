// gRPC handlers of TrainerService: wiring only; the work is in advantageEngine.ts and finepo/.
import type { TrainerServiceImplementation } from "@sketchvl/contract";
import { describeFailure } from "@sketchvl/runtime";
import { InvalidArgumentError } from "@sketchvl/errors";
import type { AdvantageEngine } from "./advantageEngine";

export function trainerHandlers(engine: AdvantageEngine): TrainerServiceImplementation {
  return {
    async computeAdvantages(request) {
      return engine.compute(request);
    },

    // One bad group answers with a GroupError in its place; the stream and the other groups go on.
    async *streamAdvantages(requests) {
      for await (const { group } of requests) {
        try {
          if (!group) throw new InvalidArgumentError("group", "each stream message needs a group");
          yield { result: { $case: "group", value: await engine.compute(group) } };
        } catch (err) {
          const failure = describeFailure(err);
          if (!failure) throw err;
          yield { result: { $case: "error", value: { requestId: group?.requestId ?? "", ...failure } } };
        }
      }
    },

    async configureRun(request) {
      return engine.configureRun(request);
    },
  };
}
