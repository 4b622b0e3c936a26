// FinePO credit assignment (SketchVL §3) as plain domain code: no gRPC here. See
// services/trainer/README.md for the formulas, defaults, a worked example and the window state.
export { advantageModeFromMode, DEFAULT_SETTINGS, type FinePOSettings, modeFromAdvantageMode, resolveSettings, type SettingsOverrides } from "./settings";
export { type ActionDistribution, distributionFromFrequencies, distributionToFrequencies, klOffset } from "./klOffset";
export { MAX_TOKEN_COUNT, tokenAdvantages, TokenSpan } from "./tokenAdvantages";
export { randomScores } from "./randomScores";
export { countActionKinds, DEFAULT_RETAIN_BATCHES } from "./actionWindow";
export { DEFAULT_RUN_ID, MAX_RUN_ID_LENGTH, runFileStem, RunRegistry } from "./runRegistry";
export { computeGroupAdvantages, type GroupInput, type MemberInput, type MemberResult } from "./computeGroup";
export { makeSyntheticGroups } from "./synthetic";
