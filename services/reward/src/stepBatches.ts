// The steps of a group's responses go to the PRM in a few calls, not one per response. Responses
// finish drawing at different moments; those that finish within `windowMs` of each other share a
// ScoreSteps call. Each call costs the reward service and the PRM a fixed ~0.5–1 ms of CPU (gRPC,
// HTTP/2, middleware, a span), which for 4-step responses was most of the orchestration (#15); the
// PRM batches steps across calls anyway, so a short wait costs no model time.
//
// A shared call that fails is retried one response at a time: a step the PRM refuses, or a
// replica that lacks an image, then fails only the response it belongs to, as without sharing.
import type { StepScore, StepToScore } from "@sketchvl/contract";
import { Gathering } from "./gathering";

export type ScoreStepsCall = (steps: StepToScore[]) => Promise<StepScore[]>;

interface Waiting {
  steps: StepToScore[];
  resolve(scores: StepScore[]): void;
  reject(err: unknown): void;
}

export class StepBatches {
  private readonly gathering: Gathering<Waiting>;

  constructor(
    private readonly call: ScoreStepsCall,
    options: { windowMs: number; maxSteps: number },
  ) {
    this.gathering = new Gathering((batch) => this.send(batch), { windowMs: options.windowMs, max: options.maxSteps, sizeOf: (w) => w.steps.length });
  }

  /** The scores of `steps`, from a call shared with the responses that finish drawing about now. */
  score(steps: StepToScore[]): Promise<StepScore[]> {
    if (steps.length === 0) return Promise.resolve([]);
    return new Promise<StepScore[]>((resolve, reject) => this.gathering.add({ steps, resolve, reject }));
  }

  private send(batch: Waiting[]): void {
    if (batch.length === 1) {
      this.call(batch[0].steps).then(batch[0].resolve, batch[0].reject);
      return;
    }
    // Step ids are "<response id>:<step>", and response ids need not be unique: when two collide the
    // call numbers the steps itself, and each response gets its scores back under its own ids.
    const ids = batch.flatMap((w) => w.steps.map((s) => s.id));
    let next = 0;
    const renamed = new Set(ids).size === ids.length ? batch.map((w) => w.steps) : batch.map((w) => w.steps.map((s) => ({ ...s, id: String(next++) })));
    this.call(renamed.flat()).then(
      (scores) => {
        const byId = new Map(scores.map((s) => [s.id, s]));
        batch.forEach((w, k) => {
          w.resolve(
            renamed[k].flatMap((s, j) => {
              const score = byId.get(s.id);
              return score ? [{ ...score, id: w.steps[j].id }] : [];
            }),
          );
        });
      },
      () => {
        for (const w of batch) this.call(w.steps).then(w.resolve, w.reject);
      },
    );
  }
}
