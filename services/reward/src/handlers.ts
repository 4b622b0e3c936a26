// gRPC handlers of RewardService: request checks and wiring; the work is in groupScorer.ts.
import { type GroupRewards, type RewardServiceImplementation, ScoreGroupRequest } from "@sketchvl/contract";
import { IdempotencyCache } from "@sketchvl/runtime";
import { InvalidArgumentError } from "@sketchvl/runtime/errors";
import type { GroupSession, RewardScorer } from "./groupScorer";

/** Rough memory of a remembered answer: token arrays dominate. */
function groupBytes(group: GroupRewards): number {
  return group.responses.reduce((n, r) => n + 12 * (r.tokenAdvantages.length + r.tokenProcessScores.length) + 4 * r.lossMask.length + 300 * r.steps.length + 500, 0);
}

export function rewardHandlers(scorer: RewardScorer, idempotencyEntries: number): RewardServiceImplementation {
  const answers = new IdempotencyCache<GroupRewards>({ maxEntries: idempotencyEntries, maxBytes: 256 * 1024 * 1024, sizeOf: groupBytes });
  return {
    async scoreGroup(request, context) {
      const encoded = ScoreGroupRequest.encode(request).finish();
      return { group: await answers.run(request.requestId, encoded, () => scorer.scoreGroup(request, context.signal)) };
    },

    // Responses are scored as they arrive; the group is answered when the client closes its side.
    // (A retried stream is scored again; the trainer still counts its actions in the KL window once.)
    async streamGroup(requests, context) {
      let session: GroupSession | undefined;
      let index = 0;
      for await (const { item } of requests) {
        if (!session) {
          if (item?.$case !== "group") throw new InvalidArgumentError("item", "the first message must be the group");
          session = await scorer.open(item.value, context.signal);
          for (const response of item.value.responses) session.add(response);
        } else if (item?.$case === "response") {
          session.add(item.value);
        } else {
          throw new InvalidArgumentError(`item`, `message ${index}: after the group, send one response per message`);
        }
        index++;
      }
      if (!session) throw new InvalidArgumentError("item", "the stream carried no group");
      return { group: await session.finish() };
    },
  };
}
