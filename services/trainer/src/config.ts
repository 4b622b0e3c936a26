// The trainer's options (flags / TRAINER_* environment / defaults); `--help` lists them.
// FinePO defaults here are the service-wide layer: a run's ConfigureRun and a request's own config
// override them. Their values and reasons are in services/trainer/README.md.
import { serverOptions } from "@sketchvl/runtime";
import { z } from "zod";
import { DEFAULT_RETAIN_BATCHES, DEFAULT_SETTINGS, MAX_TOKEN_COUNT } from "./finepo";

export const trainerOptions = {
  ...serverOptions(50052),
  stateDir: {
    schema: z.string().default(".sketchvl/trainer-state"),
    doc: 'where KL windows and run configs persist across restarts ("none": memory only, lost on restart)',
  },
  priorFile: {
    schema: z.string().default(""),
    doc: 'the service-wide prior Q(a): JSON {kind: frequency} or JSONL of trajectories ({"actions": [kind, ...]}); default uniform over point/line/rectangle/circle',
  },
  maxGroupSize: { schema: z.coerce.number().int().positive().default(1024), doc: "most responses in one group" },
  maxTokens: { schema: z.coerce.number().int().positive().max(MAX_TOKEN_COUNT).default(MAX_TOKEN_COUNT), doc: "most completion tokens in one response" },
  idempotencyEntries: {
    schema: z.coerce.number().int().nonnegative().default(16_384),
    doc: "answers remembered by request id, so a retried request gets the same answer",
  },
  idempotencyBytes: {
    schema: z.coerce
      .number()
      .int()
      .nonnegative()
      .default(256 * 1024 * 1024),
    doc: "memory the remembered answers may take (token arrays dominate); oldest are forgotten first",
  },
  alpha: { schema: z.coerce.number().min(0).lt(1).default(DEFAULT_SETTINGS.alpha), doc: "Eq. 6 redistribution strength (0 <= alpha < 1)" },
  beta: { schema: z.coerce.number().finite().min(1).default(DEFAULT_SETTINGS.beta), doc: "Eq. 8 clip bound, >= 1 (paper: 2)" },
  lambdaKl: { schema: z.coerce.number().finite().min(0).default(DEFAULT_SETTINGS.lambdaKl), doc: "Eq. 3 KL strength, >= 0" },
  gamma: { schema: z.coerce.number().finite().min(0).default(DEFAULT_SETTINGS.gamma), doc: "Eq. 3 offset clip, >= 0" },
  epsilon: { schema: z.coerce.number().finite().positive().default(DEFAULT_SETTINGS.epsilon), doc: "Eq. 3 smoothing and Eq. 7 guard, > 0" },
  windowBatches: {
    schema: z.coerce.number().int().min(1).max(DEFAULT_RETAIN_BATCHES).default(DEFAULT_SETTINGS.windowBatches),
    doc: `KL window length W in batches (at most ${DEFAULT_RETAIN_BATCHES}, the batches a run keeps)`,
  },
};
