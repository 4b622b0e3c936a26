// ChartWorld: a built-in chart reasoning suite with exact ground truth for every step.
export * from "./chart-types";
export type { Box, Pt } from "./geometry";
export { iou } from "./geometry";
export { Rng, hash32 } from "@sketchvl/seeded-random";
export { SPLITS, splitOfSeed, seedsOfSplit } from "./splits";
export { textWidth } from "./font-metrics";
export { loadVegaEngine } from "./vega-engine";
export type { GeneratedData } from "./chart-data";
export { generateChart, tryGenerateChart, kindOfSeed, chartIdOfSeed, ChartRejected, type GeneratedChart } from "./render-chart";
export { rasterizeSvg, rasterizeSvgRaw } from "./rasterize";
export { ChartContext } from "./chart-context";
export { QUESTION_TEMPLATES, candidateQuestions, pickQuestions, type ChartQuestion, type QuestionParams, type QuestionTemplate } from "./questions";
export { expertTrajectory, type ExpertStep, type ExpertTrajectory } from "./expert-trajectory";
export type { StepTarget, TargetShape } from "./step-target";
export {
  SCORED_ACTION_TYPES,
  actionToShape,
  actionTypeOf,
  formatSketchVLAction,
  formatSketchVLStep,
  shapeToAction,
  type ActionType,
  type ImageSize,
  type PixelShape,
} from "./sketchvl-action";
export { SCORE_THRESHOLDS, scoreStep, scoreStepValue } from "./score-step";
export { relaxedAccuracy, parseChartNumber } from "./relaxed-accuracy";
export { generateExample, iterateExamples, type ChartWorldExample, type ExampleOptions, type IterateOptions } from "./chartworld";
export { NOISE_KINDS, PAPER_LABEL_RATIO, generatePrmDataset, injectNoise, prmQuotas, type NoiseKind, type PrmDatasetOptions, type PrmSample } from "./prm-dataset";
export { SKETCHVL_SYSTEM_PROMPT, sketchvlUserPrompt } from "./prompt";
export { colorOf, drawActionsOnPng } from "./draw-actions";
export { exportExamples, exportPrm, exportSft, trajectoryJson, type ExportOptions } from "./export";
