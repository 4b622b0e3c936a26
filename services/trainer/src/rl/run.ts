// A training run end to end: cold-start SFT on ChartWorld's expert trajectories, then RL updates
// through the mesh (grpo / finepo / ablations), a new policy version published to the policy
// service every `publishEvery` updates, held-out evaluations, and a checkpoint a killed run resumes
// from.
import { join } from "node:path";
import { Objective, type TrainSequence } from "@sketchvl/contract";
import { type PolicyArchitecture, loadVocabulary, type Tokenizer } from "@sketchvl/policy-model";
import { type Curriculum, type CurriculumStage, stageAt, stagePrompts, switchAfterEvaluation, validateCurriculum } from "./curriculum";
import { type Evaluation, evaluatePolicy } from "./evaluate";
import { type LearnerWorker, startLearner } from "./learnerWorker";
import { type Prompt, loadPrompts, promptBatch } from "./prompts";
import { type RlMode, type RlSettings, type UpdateRecord, mapConcurrently, rlUpdate } from "./rlStep";
import { type EvalRecord, RunFolder, type RunState } from "./runState";
import type { RasterImage } from "@sketchvl/drawing";
import { decodeChart, expertSequence } from "./sequences";
import { POLICY_MODEL, type TrainingMesh, startTrainingMesh } from "./trainingMesh";

export type TrainingMode = "sft" | RlMode;

export interface TrainingOptions {
  outDir: string;
  mode: TrainingMode;
  seed: number;
  architecture: Omit<PolicyArchitecture, "vocab_size">;
  threads: number;
  sft: { charts: number; updates: number; batch: number; learningRate: number };
  /** RL settings; the advantage mode comes from `mode` (evaluations of an SFT run score with FinePO). */
  rl: Omit<RlSettings, "mode"> & { updates: number; promptsPerUpdate: number; learningRate: number; publishEvery: number; trainCharts: number };
  evaluation: { charts: number; every: number };
  /** Perception questions first, then reasoning ones (default off: every question throughout). */
  curriculum?: Curriculum;
  /** Start RL from this checkpoint instead of running SFT (the ablation's shared SFT policy). */
  startFrom?: { checkpoint: string; sftUpdates: number };
  /** Stop after this many RL updates in this process (a test's "kill it mid-run"). */
  stopAfterUpdates?: number;
  report?: TrainingReporter;
  /**
   * Called once the mesh is up (a test drives extra load through it during version switches); what
   * it returns is awaited before the mesh stops.
   */
  onMesh?: (mesh: TrainingMesh) => (() => Promise<void>) | void;
}

export interface TrainingReporter {
  phase(name: string, total: number): void;
  tick(done: number, detail: string): void;
  update(record: UpdateRecord): void;
  evaluation(record: EvalRecord): void;
  log(line: string): void;
}

export interface TrainingResult {
  state: RunState;
  history: UpdateRecord[];
  evaluations: EvalRecord[];
  folder: string;
}

const silent: TrainingReporter = { phase() {}, tick() {}, update() {}, evaluation() {}, log() {} };

export async function runTraining(options: TrainingOptions): Promise<TrainingResult> {
  const report = options.report ?? silent;
  const settings: RlSettings = { ...options.rl, mode: options.mode === "sft" ? "finepo" : options.mode };
  const curriculum = options.curriculum ?? { mode: "off" };
  validateCurriculum(curriculum, settings.outcome ?? { kind: "relaxed-accuracy" }, options.rl, options.evaluation);
  const folder = new RunFolder(options.outDir);
  const tokenizer = loadVocabulary();
  const learner = await startLearner({ threads: options.threads });
  let mesh: TrainingMesh | undefined;
  let detach: (() => Promise<void>) | undefined;
  try {
    let state: RunState = folder.readState() ?? { phase: "sft", updates: 0, policyVersion: 0, checkpoint: "", sftUpdates: 0 };
    if (state.phase !== "sft") report.log(`resuming ${options.outDir} at RL update ${state.updates} (policy version ${state.policyVersion})`);
    // A switch decided at an evaluation past the checkpoint is redone with that evaluation.
    if (state.curriculumSwitchAt !== undefined && state.curriculumSwitchAt > state.updates) state = { ...state, curriculumSwitchAt: undefined };
    folder.truncateLogs(state.updates);
    const a = options.architecture;
    const architecture = {
      vocabSize: tokenizer.vocabSize,
      imageSize: a.image_size,
      dModel: a.d_model,
      layers: a.layers,
      heads: a.heads,
      maxPositions: a.max_positions,
    };
    // SFT trains fresh weights; RL starts from a checkpoint with a fresh optimizer and keeps the
    // starting (SFT) policy as its KL reference.
    const init = (stage: "sft" | "rl", checkpoint: string) =>
      learner.client.initPolicy({
        architecture,
        optimizer:
          stage === "sft"
            ? { learningRate: options.sft.learningRate, weightDecay: 0.01, gradClip: 1 }
            : { learningRate: options.rl.learningRate, weightDecay: 0, gradClip: 1 },
        seed: options.seed,
        checkpoint,
        keepReference: stage === "rl",
        threads: options.threads,
      });

    if (state.phase === "sft") {
      if (options.startFrom) {
        await init("rl", options.startFrom.checkpoint);
        state = { ...state, sftUpdates: options.startFrom.sftUpdates };
      } else {
        await init("sft", "");
        await coldStart(learner, tokenizer, options, report);
        state = { ...state, sftUpdates: options.sft.updates };
      }
      state = await publish(learner, folder, tokenizer, options, { ...state, phase: options.mode === "sft" ? "done" : "rl" }, "sft");
      if (state.phase === "rl") await init("rl", state.checkpoint);
    } else {
      await init("rl", state.checkpoint);
    }

    mesh = await startTrainingMesh({ policyRepository: folder.models, trainerState: join(options.outDir, "trainer-state") });
    // The version state.json names, not merely the newest folder (an export whose state write was lost).
    await mesh.clients.policy.loadPolicy({ model: POLICY_MODEL, version: String(state.policyVersion) });
    detach = options.onMesh?.(mesh) ?? undefined;
    const runId = `${options.mode}-seed${options.seed}`;
    report.log("loading held-out questions");
    const heldOut = await loadPrompts("test", options.evaluation.charts);
    const evaluate = async (update: number, policyVersion: number, stage: CurriculumStage) => {
      const e = await evaluatePolicy(mesh!.clients, heldOut, settings, `${runId}-eval-${update}`);
      const record: EvalRecord = { ...e, update, policyVersion: String(policyVersion), stage };
      folder.append("evaluations.jsonl", record);
      report.evaluation(record);
      return e;
    };

    if (state.phase === "rl") {
      report.log("loading training prompts");
      const train = await loadPrompts("train", options.rl.trainCharts);
      if (state.updates === 0 && folder.evaluations(0).length === 0) await evaluate(0, state.policyVersion, stageAt(curriculum, 0, undefined));
      state = await rlPhase(learner, mesh, folder, tokenizer, train, options, settings, curriculum, state, report, evaluate, runId);
    }
    if (state.phase === "done" && !folder.evaluations(state.updates).some((e) => e.update === state.updates))
      await evaluate(state.updates, state.policyVersion, stageAt(curriculum, Math.max(0, state.updates - 1), state.curriculumSwitchAt));
    return { state, history: folder.history(state.updates), evaluations: folder.evaluations(state.updates), folder: options.outDir };
  } finally {
    await detach?.();
    await mesh?.stop();
    await learner.stop();
  }
}

async function coldStart(learner: LearnerWorker, tokenizer: Tokenizer, options: TrainingOptions, report: TrainingReporter): Promise<void> {
  const { updates, batch } = options.sft;
  report.phase("SFT data: ChartWorld charts", options.sft.charts);
  const prompts = await loadPrompts("train", options.sft.charts, (done) => report.tick(done, "charts"));
  report.phase("SFT data: expert turns drawn", prompts.length);
  const size = options.architecture.image_size;
  // A chart's questions share its decoded pixels (decoded once, on first use).
  const charts = new Map<Buffer, Promise<RasterImage>>();
  const chartOf = (png: Buffer) => charts.get(png) ?? charts.set(png, decodeChart(png)).get(png)!;
  let drawn = 0;
  const sequences: TrainSequence[] = await mapConcurrently(prompts, 2, async (p) => {
    const sequence = await expertSequence(tokenizer, p.question, p.example.trajectories[p.questionIndex], await chartOf(p.png), size);
    report.tick(++drawn, "trajectories drawn");
    return sequence;
  });
  report.phase(`SFT (${sequences.length} expert trajectories)`, updates);
  for (let u = 0; u < updates; u++) {
    const r = await learner.client.trainStep({
      sequences: promptBatch(sequences, options.seed, u, batch),
      loss: { objective: Objective.OBJECTIVE_SFT, clipLow: 0, clipHigh: 0, klCoef: 0, entropyCoef: 0 },
      microBatch: 0,
    });
    report.tick(u + 1, `loss ${r.loss.toFixed(3)}`);
  }
}

async function rlPhase(
  learner: LearnerWorker,
  mesh: TrainingMesh,
  folder: RunFolder,
  tokenizer: Tokenizer,
  train: Prompt[],
  options: TrainingOptions,
  settings: RlSettings,
  curriculum: Curriculum,
  initial: RunState,
  report: TrainingReporter,
  evaluate: (update: number, policyVersion: number, stage: CurriculumStage) => Promise<Evaluation>,
  runId: string,
): Promise<RunState> {
  let state = initial;
  const { updates, promptsPerUpdate, publishEvery } = options.rl;
  const stopAt = Math.min(updates, options.stopAfterUpdates !== undefined ? state.updates + options.stopAfterUpdates : updates);
  const pools = new Map<CurriculumStage, Prompt[]>();
  const poolOf = (stage: CurriculumStage) => pools.get(stage) ?? pools.set(stage, stagePrompts(train, stage)).get(stage)!;
  report.phase(`RL (${options.mode}${curriculum.mode === "off" ? "" : `, curriculum by ${curriculum.mode}`})`, updates);
  report.tick(state.updates, "");
  for (let u = state.updates; u < stopAt; u++) {
    const stage = stageAt(curriculum, u, state.curriculumSwitchAt);
    if (u > 0 && stage !== stageAt(curriculum, u - 1, state.curriculumSwitchAt) && curriculum.mode === "schedule")
      report.log(`curriculum: perception → reasoning at update ${u} (after --perception-updates ${u})`);
    // Each stage has its own seeded order over its own questions; the order depends only on the update number.
    const prompts = promptBatch(poolOf(stage), options.seed, u, promptsPerUpdate);
    const record = await rlUpdate(mesh.clients, learner.client, prompts, settings, {
      runId,
      update: u,
      seed: options.seed,
      policyVersion: String(state.policyVersion),
      stage,
    });
    folder.append("history.jsonl", record);
    report.update(record);
    report.tick(
      u + 1,
      `${stage === "all" ? "" : `[${stage}] `}reward ${record.reward.toFixed(2)} acc ${record.accuracy.toFixed(2)} prm ${Number.isFinite(record.meanProcessScore) ? record.meanProcessScore.toFixed(2) : "—"}`,
    );
    const done = u + 1;
    if (done % publishEvery === 0 || done === updates) {
      state = await publish(learner, folder, tokenizer, options, { ...state, updates: done, phase: done === updates ? "done" : "rl" }, `u${done}`);
      await mesh.clients.policy.loadPolicy({ model: POLICY_MODEL, version: String(state.policyVersion) });
    }
    if (done % options.evaluation.every === 0 && done !== updates) {
      const e = await evaluate(done, state.policyVersion, stage);
      const switchAt = switchAfterEvaluation(curriculum, done, e.perceptionAccuracy, state.curriculumSwitchAt);
      if (switchAt !== undefined) {
        // Recorded at once; a resume from an earlier checkpoint drops it and redoes the evaluation.
        state = { ...state, curriculumSwitchAt: switchAt };
        folder.writeState(state);
        const threshold = curriculum.mode === "accuracy" ? curriculum.switchAccuracy : 0;
        report.log(
          `curriculum: perception → reasoning at update ${switchAt} (held-out perception accuracy ${(100 * e.perceptionAccuracy).toFixed(1)}% ≥ ${(100 * threshold).toFixed(1)}%)`,
        );
      }
    }
  }
  return state;
}

/** Checkpoint, export the weights as the next policy version, then record both in state.json. */
async function publish(
  learner: LearnerWorker,
  folder: RunFolder,
  tokenizer: Tokenizer,
  options: TrainingOptions,
  next: RunState,
  name: string,
): Promise<RunState> {
  const checkpoint = folder.checkpointPath(name);
  await learner.client.saveCheckpoint({ path: checkpoint });
  // After the newest folder present: an export whose state.json write was lost keeps its number.
  const version = Math.max(next.policyVersion, ...folder.versions(POLICY_MODEL)) + 1;
  await learner.client.exportPolicy({
    directory: join(folder.models, POLICY_MODEL, String(version)),
    vocabularyJson: JSON.stringify(tokenizer.toJSON()),
    configJson: JSON.stringify({
      defaults: { maxTurns: options.rl.maxTurns, maxTokensPerTurn: options.rl.maxTokensPerTurn },
      trainedBy: { mode: options.mode, seed: options.seed, stage: name },
    }),
  });
  const state = { ...next, policyVersion: version, checkpoint };
  folder.writeState(state);
  return state;
}
