// The draw-and-look loop for one group of k rollouts of one prompt, in lockstep per turn: every
// unfinished rollout writes its turn (the backend batches them); each turn, as soon as it ends, is
// parsed by the renderer and its actions drawn on the image the turn looked at; when every
// rollout's turn is done, those that go on see their annotated image in the next turn (after the
// image marker). A rollout ends with its answer (end of sequence), at the token budget, or after
// max_turns turns.
import { type DrawingAction, FinishReason, type Rollout, type Turn } from "@sketchvl/contract";
import type { RolloutBackend, TurnOutput } from "../backends/types";
import type { Sampling } from "../sampling";
import { RolloutRecord, shiftErrors } from "./assemble";
import { ActionsRefused, type Environment, type GroupEnvironment, type HeldImage } from "./environment";

export interface GroupRequest {
  question: string;
  prompt: HeldImage;
  sampling: Sampling;
  returnModelInputs: boolean;
}

export interface GroupListener {
  turn?(rollout: number, turn: Turn): void;
  rollout?(rollout: Rollout): void;
}

export interface Producer {
  backend: RolloutBackend;
  model: string;
  version: string;
}

export async function runGroup(
  request: GroupRequest,
  producer: Producer,
  env: Environment,
  signal: AbortSignal,
  listener: GroupListener = {},
): Promise<Rollout[]> {
  const { backend, model, version } = producer;
  const { sampling } = request;
  const decoder = backend.startGroup({ question: request.question, sampling }, signal);
  try {
    const world = env.forGroup(backend.needs);
    const records = Array.from({ length: sampling.groupSize }, (_, i) => new RolloutRecord(i, decoder.promptTokenIds));
    const at: HeldImage[] = records.map(() => request.prompt);
    for (let t = 0; t < sampling.maxTurns; t++) {
      const active = records.filter((r) => !r.finished);
      if (active.length === 0) break;
      const last = t === sampling.maxTurns - 1;
      const images = await Promise.all(active.map((r) => world.view(at[r.index])));
      const outputs = decoder.turn(active.map((r, i) => ({ row: r.index, image: images[i], last })));
      await Promise.all(
        active.map(async (record, i) => {
          const out = await outputs[i];
          const { turn, textStart } = record.addTurn(out, at[record.index].digest);
          if (request.returnModelInputs && images[i].tensor) {
            const tensor = images[i].tensor!;
            turn.modelInput = Buffer.from(tensor.buffer, tensor.byteOffset, tensor.byteLength);
            turn.modelInputShape = [3, backend.needs.tensorSize!, backend.needs.tensorSize!];
          }
          const parsed = world.parse(turn.text);
          turn.formatErrors = shiftErrors(parsed.errors, textStart);
          const actions = parsed.steps.flatMap((s) => (s.action ? [s.action] : []));
          // A backend whose turns end with the model's message (no end-of-answer token) ends the
          // rollout with a turn that answers or draws nothing.
          const goesOn = out.stop === "eot" && !last && (backend.turnEnds === "token" || (actions.length > 0 && !parsed.answer));
          if (goesOn) {
            at[record.index] = await draw(world, turn, at[record.index], actions, signal);
            record.addImageMarker(backend.imageMarker);
          } else {
            record.finish(finishReason(out, last, backend.turnEnds));
          }
          listener.turn?.(record.index, turn);
          if (record.finished) listener.rollout?.(record.toRollout(model, version));
        }),
      );
    }
    return records.map((r) => r.toRollout(model, version));
  } finally {
    decoder.close();
  }
}

/** The turn's actions drawn on the image it looked at: the image the next turn sees. */
async function draw(world: GroupEnvironment, turn: Turn, image: HeldImage, actions: DrawingAction[], signal: AbortSignal): Promise<HeldImage> {
  if (actions.length === 0) return image;
  try {
    const next = await world.draw(image, actions, signal);
    turn.actionsDrawn = actions.length;
    return next;
  } catch (err) {
    // The renderer refusing what the policy wrote is the policy's format problem: the turn's
    // marks are not drawn and the rollout goes on (the reward service grades it).
    if (!(err instanceof ActionsRefused)) throw err;
    turn.formatErrors.push({ stepIndex: 0, span: turn.span, field: "action", message: `not drawn: ${err.message}` });
    return image;
  }
}

function finishReason(out: TurnOutput, last: boolean, turnEnds: RolloutBackend["turnEnds"]): FinishReason {
  if (out.stop === "eos") return FinishReason.FINISH_REASON_STOP;
  if (out.stop === "length") return FinishReason.FINISH_REASON_LENGTH;
  return last && turnEnds === "token" ? FinishReason.FINISH_REASON_MAX_TURNS : FinishReason.FINISH_REASON_STOP;
}
