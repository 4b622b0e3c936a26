// Generate and StreamGenerate without gRPC: the request checked, the group placed on the version
// serving its model now (it finishes there even if a new version is loaded meanwhile), the prompt
// image handed to the renderer, and the draw-and-look loop run.
import type { GenerateRequest, GenerateResponse } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import type { Environment } from "./rollout/environment";
import { type GroupListener, runGroup } from "./rollout/group";
import { resolveSampling } from "./sampling";
import type { PolicyVersions } from "./versions";

export interface GeneratorOptions {
  defaultModel: string;
  maxQuestionChars: number;
}

export class Generator {
  constructor(
    private readonly versions: PolicyVersions,
    private readonly env: Environment,
    private readonly options: GeneratorOptions,
  ) {}

  async generate(request: GenerateRequest, signal: AbortSignal, listener?: GroupListener): Promise<GenerateResponse> {
    if (!request.question.trim()) throw new InvalidArgumentError("question", "ask a question about the image");
    if (request.question.length > this.options.maxQuestionChars) {
      throw new InvalidArgumentError("question", `${request.question.length} characters; the limit is ${this.options.maxQuestionChars}`, "LIMIT_EXCEEDED");
    }
    const model = request.model || this.options.defaultModel;
    // Looked up and counted in the same tick: a switch cannot unload it under this group.
    const version = this.versions.serving(model);
    const leave = version.servable.inFlight.enter();
    try {
      const { backend } = version.servable;
      const sampling = resolveSampling(request.sampling, backend.defaults);
      const prompt = await this.env.openPrompt(request.image, signal);
      const rollouts = await runGroup(
        { question: request.question, prompt, sampling, returnModelInputs: request.returnModelInputs },
        { backend, model, version: version.version },
        this.env,
        signal,
        listener,
      );
      version.servable.rollouts += rollouts.length;
      version.servable.tokens += rollouts.reduce((n, r) => n + r.tokenIds.length, 0);
      return { rollouts, imageDigest: prompt.digest };
    } finally {
      leave();
    }
  }
}
