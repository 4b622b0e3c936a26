// The trainer's options (flags / TRAINER_* environment / defaults); `--help` lists them.
// FinePO defaults here are the service-wide layer: a run's ConfigureRun and a request's own config
// override them. Their values and reasons are in services/trainer/README.md.
import { serverOptions } from "@sketchvl/runtime";
import { z } from "zod";
import { DEFAULT_SETTINGS } from "./finepo";

const num = (def: number) => z.coerce.number().finite().default(def);

export const trainerOptions = {
  ...serverOptions(50052),
  stateDir: {
    schema: z.string().default(".sketchvl/trainer-state"),
    doc: 'where KL windows and run configs persist across restarts ("none": memory only, lost on restart)',
  },
  priorFile: {
    schema: z.string().default(""),
    doc: "the service-wide prior Q(a): JSON {kind: frequency} or JSONL of trajectories ({\"actions\": [kind, ...]}); default uniform over point/line/rectangle/circle",
  },
  maxGroupSize: { schema: z.coerce.number().int().positive().default(1024), doc: "most responses in one group" },
  maxTokens: { schema: z.coerce.number().int().positive().default(1 << 20), doc: "most completion tokens in one response" },
  idempotencyEntries: {
    schema: z.coerce.number().int().nonnegative().default(16_384),
    doc: "answers remembered by request id, so a retried request gets the same answer",
  },
  alpha: { schema: num(DEFAULT_SETTINGS.alpha), doc: "Eq. 6 redistribution strength (0 <= alpha < 1)" },
  beta: { schema: num(DEFAULT_SETTINGS.beta), doc: "Eq. 8 clip bound (paper: 2)" },
  lambdaKl: { schema: num(DEFAULT_SETTINGS.lambdaKl), doc: "Eq. 3 KL strength" },
  gamma: { schema: num(DEFAULT_SETTINGS.gamma), doc: "Eq. 3 offset clip" },
  epsilon: { schema: num(DEFAULT_SETTINGS.epsilon), doc: "Eq. 3 smoothing and Eq. 7 guard" },
  windowBatches: { schema: z.coerce.number().int().positive().default(DEFAULT_SETTINGS.windowBatches), doc: "KL window length W in batches" },
};
