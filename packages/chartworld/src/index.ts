// ChartWorld: a built-in chart reasoning suite with exact ground truth for every step.
export {
  type AxisMapping,
  type Chart,
  CHART_KINDS,
  type ChartAnnotations,
  type ChartElement,
  type ChartKind,
  type ChartStyle,
  type DataRow,
  type DataTable,
  type ElementKind,
  type Split,
} from "./chartTypes";
export type { Box, Pt } from "./geometry";
export { iou } from "./geometry";
export { Rng, hash32 } from "@sketchvl/seeded-random";
export { SPLITS, splitOfSeed, seedsOfSplit } from "./splits";
export { textWidth } from "./fontMetrics";
export { loadVegaEngine } from "./vegaEngine";
export type { GeneratedData } from "./chartData";
export { generateChart, tryGenerateChart, kindOfSeed, chartIdOfSeed, ChartRejected, type GeneratedChart } from "./renderChart";
export { rasterizeSvg, rasterizeSvgRaw } from "./rasterize";
export { ChartContext } from "./chartContext";
export { QUESTION_TEMPLATES, candidateQuestions, pickQuestions, type ChartQuestion, type QuestionParams, type QuestionTemplate } from "./questions";
export { expertTrajectory, type ExpertStep, type ExpertTrajectory } from "./expertTrajectory";
export type { StepTarget, TargetShape } from "./stepTarget";
export { SCORED_ACTION_TYPES, actionToShape, markNameOfShape, shapeToAction, type ImageSize, type PixelShape } from "./actionShapes";
export { SCORE_THRESHOLDS, scoreStep, scoreStepValue } from "./scoreStep";
export { relaxedAccuracy, parseChartNumber } from "./relaxedAccuracy";
export {
  DENSITY_RANGE,
  HOPS_RANGE,
  PERCEPTION_TEMPLATES,
  chartDensity,
  questionDifficulty,
  questionKind,
  subAnswers,
  type QuestionDifficulty,
  type QuestionKind,
  type SubAnswer,
} from "./difficulty";
export { contractSubAnswer, rewardMapOutcome } from "./rewardMapOutcome";
export { generateExample, iterateExamples, type ChartWorldExample, type ExampleOptions, type IterateOptions } from "./chartworld";
export {
  NOISE_KINDS,
  PAPER_LABEL_RATIO,
  generatePrmDataset,
  injectNoise,
  prmQuotas,
  type NoiseKind,
  type PrmDatasetOptions,
  type PrmSample,
} from "./prmDataset";
export { SKETCHVL_SYSTEM_PROMPT, sketchvlUserPrompt } from "./prompt";
export { colorOf, drawActionsOnPng } from "./drawActions";
export { exportExamples, exportPrm, exportSft, trajectoryJson, type ExportOptions } from "./export";
export {
  CHART_CODE_CHECKS,
  type ChartCodeError,
  type ChartCodeExample,
  type ChartErrorCategory,
  chartCodeExample,
  compareChartSpecs,
  dataSeverity,
  NEAR_VALUE,
} from "./chartCode";
export { CORRUPTION_KINDS, type CorruptedChartCode, type CorruptionKind, corruptChartCode } from "./chartCodeCorruption";
