// What the learner trains on: one TrainSequence per response — prompt then completion tokens, the
// image each token looked at, and per completion token the sampling log-prob, the advantage and
// whether it is in the loss. Built from expert trajectories (SFT) or from scored rollouts (RL).
import type { DrawingAction, Rollout, TrainSequence } from "@sketchvl/contract";
import type { ExpertTrajectory } from "@sketchvl/chartworld";
import { type RasterImage, decodeImage, drawAction } from "@sketchvl/drawing";
import { SPECIAL_TOKENS, type Tokenizer, expertTurns, modelInput, promptTokens, tensorBytes } from "@sketchvl/policy-model";

/** Token p looks at the image fed back most recently: the number of image markers at or before p. */
export function imageIndexOf(tokens: readonly number[]): number[] {
  let images = 0;
  return tokens.map((t) => (t === SPECIAL_TOKENS.image ? ++images : images));
}

/** The completion an expert trajectory makes: each turn's tokens, <eot> <image> between turns, <eos> last. */
export function expertCompletion(tokenizer: Tokenizer, trajectory: ExpertTrajectory): number[] {
  const turns = expertTurns(trajectory);
  return turns.flatMap((text, i) => [
    ...tokenizer.encode(text),
    ...(i === turns.length - 1 ? [SPECIAL_TOKENS.eos] : [SPECIAL_TOKENS.eot, SPECIAL_TOKENS.image]),
  ]);
}

// ChartWorld's own charts (≤ 1200×900): no tight limits needed.
const CHART_LIMITS = { maxPixels: 100_000_000, maxBytes: 1 << 30 };
const asInput = (img: RasterImage) => ({ raw: img.pixels, width: img.width, height: img.height, channels: img.channels });

/**
 * The images an expert trajectory's turns look at: the chart, then the chart after each step is
 * drawn — drawn step by step on decoded pixels with the renderer's own drawing code, as the
 * renderer draws a policy's turns.
 */
export async function expertTurnImages(chart: RasterImage, actions: readonly DrawingAction[], imageSize: number): Promise<Buffer[]> {
  const images = [await modelInput(asInput(chart), imageSize)];
  let drawn = chart;
  for (const action of actions) {
    drawn = await drawAction(drawn, action);
    images.push(await modelInput(asInput(drawn), imageSize));
  }
  return images.map(tensorBytes);
}

export function decodeChart(png: Buffer): Promise<RasterImage> {
  return decodeImage(png, CHART_LIMITS);
}

/** A cold-start SFT sequence: the expert's completion, every token but the image markers in the loss. */
export async function expertSequence(
  tokenizer: Tokenizer,
  question: string,
  trajectory: ExpertTrajectory,
  chart: RasterImage,
  imageSize: number,
): Promise<TrainSequence> {
  const prompt = promptTokens(tokenizer, question);
  const completion = expertCompletion(tokenizer, trajectory);
  const tokens = [...prompt, ...completion];
  return {
    tokens,
    imageIndex: imageIndexOf(tokens),
    images: await expertTurnImages(
      chart,
      trajectory.steps.map((s) => s.action),
      imageSize,
    ),
    completionStart: prompt.length,
    oldLogprobs: completion.map(() => 0),
    advantages: completion.map(() => 1),
    lossMask: completion.map((t) => t !== SPECIAL_TOKENS.image),
  };
}

/**
 * An RL sequence from a rollout (made with return_model_inputs) and its token advantages from the
 * reward service; a token is in the loss only if both the policy (sampled, not inserted) and the
 * reward service (not masked) say so.
 */
export function rolloutSequence(rollout: Rollout, advantages: readonly number[], rewardLossMask: readonly boolean[]): TrainSequence {
  const tokens = [...rollout.promptTokenIds, ...rollout.tokenIds];
  const imageIndex = imageIndexOf(tokens);
  const images = rollout.turns.map((t, i) => {
    if (t.modelInput.length === 0) throw new Error(`rollout ${rollout.index} turn ${i} carries no model input (request return_model_inputs)`);
    return t.modelInput;
  });
  const needed = imageIndex[imageIndex.length - 1] + 1;
  if (images.length < needed) throw new Error(`rollout ${rollout.index} looks at ${needed} images but carries ${images.length}`);
  const n = rollout.tokenIds.length;
  if (advantages.length !== n) throw new Error(`rollout ${rollout.index}: ${advantages.length} advantages for ${n} tokens`);
  return {
    tokens,
    imageIndex,
    images: images.slice(0, needed),
    completionStart: rollout.promptTokenIds.length,
    oldLogprobs: rollout.logprobs,
    advantages: [...advantages],
    lossMask: rollout.lossMask.map((m, i) => m && (rewardLossMask[i] ?? true)),
  };
}
