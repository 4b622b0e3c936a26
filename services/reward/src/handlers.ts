// gRPC handlers of RewardService: request checks and wiring; the work is in groupScorer.ts.
import { type GroupRewards, type RewardServiceImplementation, ScoreGroupRequest } from "@sketchvl/contract";
import { IdempotencyCache } from "@sketchvl/runtime";
import { InvalidArgumentError } from "@sketchvl/errors";
import type { RewardScorer, ScoringSession } from "./groupScorer";
import { checkIds } from "./requestIds";
import { type StreamLimits, StreamGuard } from "./streamGuard";

/** Rough memory of a remembered answer: token arrays dominate. */
function groupBytes(group: GroupRewards): number {
  return group.responses.reduce(
    (n, r) => n + 12 * (r.tokenAdvantages.length + r.tokenProcessScores.length) + 4 * r.lossMask.length + 300 * r.steps.length + 500,
    0,
  );
}

export interface HandlerOptions extends StreamLimits {
  idempotencyEntries: number;
  idempotencyBytes: number;
}

export function rewardHandlers(scorer: RewardScorer, options: HandlerOptions): RewardServiceImplementation {
  const answers = new IdempotencyCache<GroupRewards>({ maxEntries: options.idempotencyEntries, maxBytes: options.idempotencyBytes, sizeOf: groupBytes });
  const streams = new StreamGuard(options);
  return {
    async scoreGroup(request, context) {
      checkIds(request);
      const encoded = ScoreGroupRequest.encode(request).finish();
      return { group: await answers.run(request.requestId, encoded, () => scorer.scoreGroup(request, context.signal)) };
    },

    // Responses are scored as they arrive; the group is answered when the client closes its side.
    // (A retried stream is scored again; the trainer still counts its actions in the KL window once.)
    async streamGroup(requests, context) {
      const release = streams.admit(context.peer);
      // Ends the responses still being scored when the stream fails (a silent client, a bad message).
      const ended = new AbortController();
      const signal = AbortSignal.any([context.signal, ended.signal]);
      try {
        let session: ScoringSession | undefined;
        let index = 0;
        for await (const { item } of streams.messages(requests)) {
          if (!session) {
            if (item?.$case !== "group") throw new InvalidArgumentError("item", "the first message must be the group");
            checkIds(item.value);
            session = await scorer.open(item.value, signal);
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
      } finally {
        release();
        ended.abort();
      }
    },
  };
}
