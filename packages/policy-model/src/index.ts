// The built-in policy's model contract, shared by services/policy (sampling) and services/trainer
// (SFT data, RL batches): tokens, the image the model sees, and a version's config.
export { SPECIAL_TOKENS, Tokenizer, promptTokens, type VocabularyJson } from "./tokenizer";
export { VOCABULARY_PATH, loadVocabulary, buildVocabulary } from "./vocabulary";
export { expertTurns } from "./expert-turns";
export { modelInput, tensorBytes, type PolicyImage } from "./model-input";
export { onnxPolicyConfigSchema, policyArchitectureSchema, policyDefaultsSchema, type OnnxPolicyConfig, type PolicyArchitecture } from "./config";
