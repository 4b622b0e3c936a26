// The mesh's contract: ts-proto code generated from proto/ (see buf.gen.yaml), re-exported by file.
// Nothing under gen/ is edited by hand; `npm run generate` rewrites it. actionKinds.ts is the one
// hand-written module: the kind names and maps over the generated ActionKind / DrawingAction.
import { join } from "node:path";

export * from "./gen/sketchvl/v1/errors";
export * from "./gen/sketchvl/v1/image";
export * from "./gen/sketchvl/v1/action";
export * from "./gen/sketchvl/v1/trajectory";
export * from "./gen/sketchvl/v1/chart_code";
export * from "./gen/sketchvl/v1/renderer";
export * from "./gen/sketchvl/v1/trainer";
export * from "./gen/sketchvl/v1/prm";
export * from "./gen/sketchvl/v1/reward";
export * from "./gen/sketchvl/v1/policy";
export * from "./gen/sketchvl/v1/learner";
export * from "./actionKinds";
// Every generated service file declares this same helper type; an explicit export settles which.
export type { ServerStreamingMethodResult } from "./gen/sketchvl/v1/renderer";

/** The binary FileDescriptorSet of proto/ (`buf build`), for server reflection. */
export const descriptorSetPath = join(__dirname, "..", "descriptor.binpb");

// Hand-written beside the generated code: the label scale (names, judge words, scores) of PrmLabel.
export * from "./prmLabels";
