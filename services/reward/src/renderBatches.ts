// A group's responses are drawn by the renderer in a few RenderTrajectories calls, not one
// RenderTrajectory stream per response: responses parsed within `windowMs` of each other share a
// call (for ScoreGroup, the whole group). A stream costs both sides a fixed share of gRPC, HTTP/2,
// middleware and a span, most of the reward's orchestration CPU with 4-step responses (#15); in
// one call the renderer also rasterizes the group's marks together.
//
// Anything but a clean answer for a trajectory (its TrajectoryError, the call failing, a renderer
// without RenderTrajectories) sends that response on its own, by `alone`, which draws and
// classifies it exactly as before sharing: errors keep their types and their response.
import type { Image, ImageRef, RenderTrajectoriesRequest, RenderTrajectoriesResponse, Step } from "@sketchvl/contract";
import { Gathering } from "./gathering";

export type RenderTrajectoriesCall = (request: Pick<RenderTrajectoriesRequest, "baseImage" | "trajectories">) => AsyncIterable<RenderTrajectoriesResponse>;

interface Waiting {
  steps: Step[];
  alone: () => Promise<ImageRef[]>;
  resolve(afters: ImageRef[]): void;
  reject(err: unknown): void;
}

export class RenderBatches {
  private readonly gathering: Gathering<Waiting>;

  constructor(
    private readonly call: RenderTrajectoriesCall,
    private readonly baseImage: Image,
    options: { windowMs: number; maxTrajectories: number },
  ) {
    this.gathering = new Gathering((batch) => this.send(batch), { windowMs: options.windowMs, max: options.maxTrajectories, sizeOf: () => 1 });
  }

  /** The after-images of `steps` drawn on the group's image, from a call shared with other responses. */
  render(steps: Step[], alone: () => Promise<ImageRef[]>): Promise<ImageRef[]> {
    return new Promise<ImageRef[]>((resolve, reject) => this.gathering.add({ steps, alone, resolve, reject }));
  }

  private send(batch: Waiting[]): void {
    const sendAlone = (w: Waiting) => w.alone().then(w.resolve, w.reject);
    if (batch.length === 1) return void sendAlone(batch[0]);
    const afters = batch.map((): ImageRef[] => []);
    const settled = new Set<number>();
    const settle = (i: number, ok: boolean) => {
      if (settled.has(i)) return;
      settled.add(i);
      if (ok) batch[i].resolve(afters[i]);
      else sendAlone(batch[i]);
    };
    void (async () => {
      try {
        for await (const r of this.call({ baseImage: this.baseImage, trajectories: batch.map((w) => ({ steps: w.steps })) })) {
          const i = r.trajectoryIndex;
          if (i >= batch.length || settled.has(i)) continue;
          if (r.result?.$case !== "step" || !r.result.value.after?.image) settle(i, false);
          else if (afters[i].push(r.result.value.after) === batch[i].steps.length) settle(i, true); // its PRM call need not wait for the rest
        }
      } catch {
        // The call as a whole failed: every response not yet answered goes on its own.
      }
      batch.forEach((_, i) => {
        settle(i, false);
      });
    })();
  }
}
