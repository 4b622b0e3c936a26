// The RL loop as a library (the CLI in cli.ts is its front end).
export { runTraining, type TrainingOptions, type TrainingResult, type TrainingMode } from "./run";
export { runAblation, ablationTable, writeCurves, type ArmResult } from "./ablation";
export {
  CURRICULUM_MODES,
  OUTCOME_KINDS,
  stageAt,
  switchAfterEvaluation,
  type Curriculum,
  type CurriculumStage,
  type OutcomeSettings,
} from "./curriculum";
export { RL_MODES, type RlMode, type UpdateRecord } from "./rlStep";
export { RunFolder, type RunState } from "./runState";
export { POLICY_MODEL } from "./trainingMesh";
export { loadPrompts, promptBatch, type Prompt } from "./prompts";
