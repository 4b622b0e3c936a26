// check.json (written by the learner's export beside the ONNX files): a few sequences with the
// log-probs PyTorch gave their completion tokens. Replaying them teacher-forced through the engine
// — the same cache, masks, batching and image switches sampling uses, all sequences at once so
// rows of different lengths share the batch — proves the exported files and this service's
// decoding agree with the learner before a version serves.
import { z } from "zod";
import type { Engine } from "./engine";

export const checkSchema = z.object({
  sequences: z
    .array(
      z.object({
        tokens: z.array(z.number().int().nonnegative()).min(2),
        image_index: z.array(z.number().int().nonnegative()),
        /** base64 float32 little-endian [3, S, S] each. */
        images: z.array(z.string()).min(1),
        completion_start: z.number().int().positive(),
        logprobs: z.array(z.number()),
      }),
    )
    .min(1),
});

export type CheckFile = z.output<typeof checkSchema>;

export interface CheckOutcome {
  maxDiff: number;
  /** Where the largest difference is: sequence and token position. */
  sequence: number;
  position: number;
}

export const CHECK_TOLERANCE = 1e-3;

/** Replays every sequence (row ids from `firstRow`); throws with a readable reason for a malformed file. */
export async function replayCheck(engine: Engine, check: CheckFile, imageFloats: number, firstRow: number): Promise<CheckOutcome> {
  const outcome: CheckOutcome = { maxDiff: 0, sequence: -1, position: -1 };
  await Promise.all(
    check.sequences.map(async (s, i) => {
      const n = s.tokens.length;
      if (s.image_index.length !== n || s.logprobs.length !== n - s.completion_start) {
        throw new Error(`sequence ${i}: image_index and logprobs do not match tokens`);
      }
      const images = s.images.map((b64, j) => {
        const bytes = Buffer.from(b64, "base64");
        if (bytes.length !== imageFloats * 4) throw new Error(`sequence ${i} image ${j}: ${bytes.length} bytes, expected ${imageFloats * 4}`);
        return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
      });
      // One job per image: its tokens fed, each next token's log-prob read.
      const got: number[] = [];
      let start = 0;
      while (start < n) {
        const image = s.image_index[start];
        let end = start;
        while (end < n && s.image_index[end] === image) end++;
        if (!images[image]) throw new Error(`sequence ${i}: image_index ${image} has no image`);
        const result = await engine.run({
          row: firstRow + i,
          image: { key: `check:${i}:${image}`, tensor: images[image] },
          forced: s.tokens.slice(start, end),
          targets: s.tokens.slice(start + 1, end + 1).concat(end === n ? [-1] : []),
          park: end < n,
        });
        got.push(...result.scored);
        start = end;
      }
      // got[p] is the log-prob of token p + 1.
      for (let p = s.completion_start; p < n; p++) {
        const diff = Math.abs(got[p - 1] - s.logprobs[p - s.completion_start]);
        if (!(diff <= outcome.maxDiff)) Object.assign(outcome, { maxDiff: Number.isNaN(diff) ? Infinity : diff, sequence: i, position: p });
      }
    }),
  );
  return outcome;
}
