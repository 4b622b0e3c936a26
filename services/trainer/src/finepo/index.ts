// FinePO credit assignment (SketchVL §3) as plain domain code: no gRPC here. See
// services/trainer/README.md for the formulas, defaults, a worked example and the window state.
export * from "./settings";
export * from "./coarseAdvantage";
export * from "./klOffset";
export * from "./redistribute";
export * from "./tokenAdvantages";
export * from "./randomScores";
export * from "./actionWindow";
export * from "./runRegistry";
export * from "./computeGroup";
export * from "./synthetic";
