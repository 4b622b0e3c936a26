// The built-in policy's model contract, shared by services/policy (sampling) and services/trainer
// (SFT data, RL batches): tokens, the image the model sees, and a version's config.
export { SPECIAL_TOKENS, Tokenizer, promptTokens, type VocabularyJson } from "./tokenizer";
export { VOCABULARY_PATH, loadVocabulary, buildVocabulary } from "./vocabulary";
export { expertTurns } from "./expertTurns";
export { modelInput, tensorBytes, type PolicyImage } from "./modelInput";
export { onnxPolicyConfigSchema, policyArchitectureSchema, policyDefaultsSchema, type OnnxPolicyConfig, type PolicyArchitecture } from "./config";
