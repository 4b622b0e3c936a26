// One backend per policy version, chosen by its config.json.
import type { ModelEntry } from "@sketchvl/model-repository";
import type { PolicyConfig } from "../repository";
import { OnnxBackend } from "./onnx";
import { OpenAiBackend } from "./openai";
import type { RolloutBackend } from "./types";

export type BackendFactory = (entry: ModelEntry, config: PolicyConfig) => Promise<RolloutBackend>;

export const createBackend: BackendFactory = async (entry, config) => {
  switch (config.backend) {
    case "onnx":
      return OnnxBackend.load(entry, config);
    case "openai-compatible":
      return new OpenAiBackend(config);
  }
};

export type {
  GroupDecoder,
  GroupSpec,
  ImageNeeds,
  RolloutBackend,
  TurnImage,
  TurnOutput,
  TurnRequest,
  TurnStop,
} from "./types";
