// The mesh's contract: ts-proto code generated from proto/ (see buf.gen.yaml), re-exported by file.
// Nothing under gen/ is edited by hand; `npm run generate` rewrites it.
import { join } from "node:path";

export * from "./gen/sketchvl/v1/image";
export * from "./gen/sketchvl/v1/action";
export * from "./gen/sketchvl/v1/trajectory";
// Both service files declare the same ServerStreamingMethodResult helper type; the renderer's wins.
export * from "./gen/sketchvl/v1/renderer";
export {
  AdvantageMode,
  advantageModeFromJSON,
  advantageModeToJSON,
  FinePOConfig,
  ActionFrequency,
  ScoredStep,
  GroupMember,
  ComputeAdvantagesRequest,
  ComputeAdvantagesResponse,
  StepAdvantage,
  MemberAdvantages,
  StreamAdvantagesRequest,
  StreamAdvantagesResponse,
  TrainerServiceDefinition,
  TrainerServiceImplementation,
  TrainerServiceClient,
} from "./gen/sketchvl/v1/trainer";

/** The binary FileDescriptorSet of proto/ (`buf build`), for server reflection. */
export const descriptorSetPath = join(__dirname, "..", "descriptor.binpb");
