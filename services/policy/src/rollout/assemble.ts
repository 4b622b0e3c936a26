// One rollout's record as it grows turn by turn: token ids with their sampling log-probs, where each
// token starts in the text (code points, as the reward service expects), the loss mask (false for
// the image markers the loop inserts), and each turn's token and text spans. The text is the turns
// with "<image>" where the drawn image was fed back, which the renderer's parser reads as turn
// boundaries.
import { FinishReason, type FormatError, type Rollout, type Turn } from "@sketchvl/contract";
import type { TurnOutput } from "../backends/types";

export class RolloutRecord {
  readonly tokenIds: number[] = [];
  readonly logprobs: number[] = [];
  readonly offsets: number[] = [];
  readonly lossMask: boolean[] = [];
  readonly imageTokenSpans: Array<{ start: number; end: number }> = [];
  readonly turns: Turn[] = [];
  private text = "";
  /** Length of `text` in code points. */
  private length = 0;
  finishReason = FinishReason.FINISH_REASON_UNSPECIFIED;

  constructor(
    readonly index: number,
    private readonly promptTokenIds: number[],
  ) {}

  get finished(): boolean {
    return this.finishReason !== FinishReason.FINISH_REASON_UNSPECIFIED;
  }

  /** Appends a turn's tokens; returns the turn (its drawing fields filled in later) and where its text starts. */
  addTurn(out: TurnOutput, imageDigest: string): { turn: Turn; textStart: number } {
    const tokenStart = this.tokenIds.length;
    const textStart = this.length;
    out.tokens.forEach((id, i) => {
      this.push(id, out.logprobs[i], out.pieces[i], true);
    });
    const turn: Turn = {
      index: this.turns.length,
      text: out.pieces.join(""),
      tokens: { start: tokenStart, end: this.tokenIds.length },
      span: { start: textStart, end: this.length },
      imageDigest,
      actionsDrawn: 0,
      formatErrors: [],
      modelInput: Buffer.alloc(0),
      modelInputShape: [],
    };
    this.turns.push(turn);
    return { turn, textStart };
  }

  /** The marker where the drawn image is fed back: not sampled, so log-prob 0 and out of the loss. */
  addImageMarker(marker: { id: number; text: string }): void {
    const at = this.tokenIds.length;
    this.push(marker.id, 0, marker.text, false);
    this.imageTokenSpans.push({ start: at, end: at + 1 });
  }

  finish(reason: FinishReason): void {
    this.finishReason = reason;
  }

  toRollout(model: string, version: string): Rollout {
    return {
      index: this.index,
      text: this.text,
      tokenIds: this.tokenIds,
      logprobs: this.logprobs,
      tokenOffsets: this.offsets,
      lossMask: this.lossMask,
      imageTokenSpans: this.imageTokenSpans,
      turns: this.turns,
      promptTokenIds: this.promptTokenIds,
      finishReason: this.finishReason,
      model,
      version,
    };
  }

  private push(id: number, logprob: number, piece: string, sampled: boolean): void {
    this.tokenIds.push(id);
    this.logprobs.push(logprob);
    this.offsets.push(this.length);
    this.lossMask.push(sampled);
    this.text += piece;
    this.length += codePoints(piece);
  }
}

export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Format errors of a turn parsed on its own, moved to positions in the rollout's text. */
export function shiftErrors(errors: readonly FormatError[], textStart: number): FormatError[] {
  return errors.map((e) => ({ ...e, span: e.span && { start: e.span.start + textStart, end: e.span.end + textStart } }));
}
