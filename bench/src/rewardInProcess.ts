// The one-process baseline of bench/reward: the same groups scored by calling the same library code
// the services run, in this process, with no gRPC: parse (@sketchvl/steps) → draw each after-image
// (@sketchvl/drawing; a group's marks rasterized together, as the renderer does) → FinePRM input encoding (@sketchvl/prm-model) + session.run (ONNX Runtime,
// one intra-op thread as the PRM service's workers use) → grading (the reward service's
// gradeOutcome) → FinePO (the trainer's computeGroupAdvantages). What the mesh costs is its CPU
// beyond this.
import { join } from "node:path";
import { actionKindOf, expectedPrmScore, PRM_LABEL_COUNT, StepFormat } from "@sketchvl/contract";
import { decodeImage, drawPlanned, planActions, type RasterImage, rasterizeTrajectories } from "@sketchvl/drawing";
import { ortFeeds, type PrmStepInput, preloadEncoding } from "@sketchvl/prm-model";
import { gradeOutcome } from "@sketchvl/reward/dist/outcome";
import { normalizeAnswer } from "@sketchvl/reward/dist/responseText";
import { parseSteps } from "@sketchvl/steps";
import { computeGroupAdvantages, DEFAULT_SETTINGS } from "@sketchvl/trainer/finepo";
import * as ort from "onnxruntime-node";

/** CPU milliseconds (this process, all threads) per stage, summed over the groups scored. */
export type StageCpu = Record<"parse" | "draw" | "encode" | "run" | "grade" | "finepo", number>;

export interface GroupSpec {
  png: Buffer;
  question: string;
  references: string[];
  texts: string[];
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Scores groups in this process the way the mesh does, stage by stage. */
export class InProcessScorer {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly maxBatch: number,
  ) {}

  static async load(modelDir: string, maxBatch = 32): Promise<InProcessScorer> {
    await preloadEncoding();
    const session = await ort.InferenceSession.create(join(modelDir, "model.onnx"), { executionProviders: ["cpu"], intraOpNumThreads: 1 });
    return new InProcessScorer(session, maxBatch);
  }

  /** Scores one group; adds each stage's CPU to `cpu`; returns the advantages' sum (so nothing is optimised away). */
  async scoreGroup(group: GroupSpec, cpu: StageCpu): Promise<number> {
    let t = cpuNow();
    const lap = (stage: keyof StageCpu) => {
      const now = cpuNow();
      cpu[stage] += now - t;
      t = now;
    };
    const chart = await decodeImage(group.png, { maxPixels: 1e8, maxBytes: 1e9 });
    const parsed = group.texts.map((text) => parseSteps(text, StepFormat.STEP_FORMAT_UNSPECIFIED));
    lap("parse");
    const steps: PrmStepInput[] = [];
    const planned = parsed.map((p) =>
      planActions(
        chart,
        p.steps.map((s) => s.action!),
        (i) => `steps[${i}]`,
      ),
    );
    // The group's marks rasterized together, as the renderer's drawing threads do.
    await rasterizeTrajectories(planned.map((t) => t.map((step) => [step])));
    for (const [k, p] of parsed.entries()) {
      let before: RasterImage = chart;
      for (const [j, s] of p.steps.entries()) {
        const after = await drawPlanned(before, planned[k][j]);
        steps.push({ intent: s.intent, action: s.action!, before, after });
        before = after;
      }
    }
    lap("draw");
    const scores: number[] = [];
    for (let i = 0; i < steps.length; i += this.maxBatch) {
      const feeds = ortFeeds(steps.slice(i, i + this.maxBatch));
      lap("encode");
      const out = await this.session.run(feeds);
      const probs = out.probabilities.data as Float32Array;
      for (let r = 0; r < probs.length; r += PRM_LABEL_COUNT) scores.push(expectedPrmScore(probs.subarray(r, r + PRM_LABEL_COUNT)));
      lap("run");
    }
    let next = 0;
    const members = parsed.map((p) => {
      const outcome = gradeOutcome(undefined, {
        answer: normalizeAnswer(p.answer),
        references: group.references,
        stepCount: p.steps.length,
        formatErrorCount: p.errors.length,
        goodStepFraction: 0,
        steps: p.steps,
      });
      return { reward: outcome.reward, steps: p.steps.map((s) => ({ kind: actionKindOf(s.action), score: scores[next++] })) };
    });
    lap("grade");
    const result = computeGroupAdvantages({ members }, DEFAULT_SETTINGS);
    lap("finepo");
    return result.members.reduce((a, m) => a + m.steps.reduce((b, s) => b + s.advantage, 0), 0);
  }
}

export const emptyStageCpu = (): StageCpu => ({ parse: 0, draw: 0, encode: 0, run: 0, grade: 0, finepo: 0 });
