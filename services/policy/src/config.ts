// The policy service's options (flags / POLICY_* environment / defaults); `--help` lists them.
import { imageLimitOptions, serverOptions } from "@sketchvl/runtime";
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();

export const policyOptions = {
  ...serverOptions(50054),
  modelRepository: {
    schema: z.string().default("models"),
    doc: "the model repository: <repo>/<model>/<version>/config.json (+ encoder.onnx, decoder.onnx, vocab.json, check.json for onnx)",
  },
  defaultModel: {
    schema: z.string().min(1).default("sketchvl-policy"),
    doc: "the policy used when a request names none; the service is ready (readiness SERVING) only while it is loaded",
  },
  loadModels: {
    schema: z.string().default("sketchvl-policy"),
    doc: "policies loaded at start (comma-separated, newest version each); one that cannot load is logged and left unloaded",
  },
  rendererAddress: { schema: z.string().default("127.0.0.1:50051"), doc: "renderer service (host:port or dns:///name:port): it draws each turn's actions" },
  callDeadlineMs: {
    schema: positiveInt.default(60_000),
    doc: "deadline of each call this service makes to the renderer (a caller's own deadline ends them sooner)",
  },
  idempotencyEntries: { schema: z.coerce.number().int().nonnegative().default(256), doc: "Generate answers remembered by request id" },
  maxQuestionChars: { schema: positiveInt.default(4096), doc: "longest question" },
  ...imageLimitOptions({
    subject: "prompt image",
    storeBytes: 256 * 1024 * 1024,
    storeDoc: "memory for the images rollouts look at (prompt images and drawn turns, by digest)",
  }),
};
