// What every rollout backend implements: one turn at a time for the rows of a group, each row
// looking at its own image. The draw-and-look loop (rollout/) owns turns, drawing and the
// rollout's assembly; backends know nothing of gRPC, the renderer or each other.
import type { Sampling } from "../sampling";

/** The image a row looks at in a turn, in the forms backends need (only those asked for are set). */
export interface TurnImage {
  /** The renderer's digest of the image. */
  digest: string;
  /** The model's input tensor (CHW float32), for backends with `needs.tensorSize`. */
  tensor?: Float32Array;
  /** A PNG data URL, for backends with `needs.dataUrl`. */
  dataUrl?: string;
}

export interface ImageNeeds {
  tensorSize?: number;
  dataUrl?: boolean;
}

export interface TurnRequest {
  /** The row (rollout index) in its group. */
  row: number;
  image: TurnImage;
  /** No turn follows this one (max turns): the backend keeps nothing for the row afterwards. */
  last: boolean;
}

/**
 * Why a turn ended: the turn-end token (the loop draws and feeds the image back), the end of the
 * answer, or the token budget (of the turn, or the model's context).
 */
export type TurnStop = "eot" | "eos" | "length";

export interface TurnOutput {
  /** Token ids, each with its temperature-1 log-prob under the sampling policy and its text. */
  tokens: number[];
  logprobs: number[];
  pieces: string[];
  stop: TurnStop;
}

export interface GroupSpec {
  question: string;
  sampling: Sampling;
}

export interface GroupDecoder {
  /** The prompt's tokens (empty when the backend does not expose token ids for it). */
  readonly promptTokenIds: number[];
  /** Generates the next turn of each listed row; each promise settles when that row's turn ends. */
  turn(rows: readonly TurnRequest[]): Promise<TurnOutput>[];
  /** Frees what the group holds (caches, conversations); the group's pending turns reject. */
  close(): void;
}

export interface RolloutBackend {
  readonly defaults: { maxTurns: number; maxTokensPerTurn: number };
  readonly needs: ImageNeeds;
  /**
   * How a turn ends: with a turn-end token, the rollout's end being its own token ("token", the
   * built-in policy); or with the model's message ("message", chat endpoints), the rollout ending
   * with a turn that answers or draws nothing.
   */
  readonly turnEnds: "token" | "message";
  /** The token the loop inserts where the drawn image is fed back (loss-masked, log-prob 0). */
  readonly imageMarker: { id: number; text: string };
  /** Opens a group; `signal` (the caller's deadline or cancel) ends its work. */
  startGroup(spec: GroupSpec, signal: AbortSignal): GroupDecoder;
  close(): Promise<void>;
}
