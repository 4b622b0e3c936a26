// One backend per model version, chosen by its config.json.
import type { ModelConfig, ModelEntry } from "../repository";
import { OnnxBackend } from "./onnx";
import { RandomBackend } from "./random";
import { ReferenceBackend } from "./reference";
import { RemoteJudgeBackend } from "./remoteJudge";
import type { ScoringBackend } from "./types";

/** `instances`: batches the version will run at once (model instances, for backends that have them). */
export type BackendFactory = (entry: ModelEntry, config: ModelConfig, instances: number) => Promise<ScoringBackend>;

export const createBackend: BackendFactory = async (entry, config, instances) => {
  switch (config.backend) {
    case "onnx":
      entry.file("model.onnx"); // refuses a model.onnx that links out of the repository
      return OnnxBackend.load(entry.dir, config, instances);
    case "reference":
      return new ReferenceBackend();
    case "random":
      return new RandomBackend(config.seed);
    case "remote-judge":
      return new RemoteJudgeBackend(config);
  }
};

export type { LabelProbabilities, PrmStep, ScoringBackend } from "./types";
