// A generative chart judge served elsewhere behind an OpenAI-compatible chat-completions endpoint
// (Visual-ERM, a VLM, served by vLLM): it sees the reference image and the rendered one and writes
// Visual-ERM's JSON, {"errors": [{category, severity, location, description}]}. The answer is
// checked strictly: anything that is not that JSON is "unparseable" (the reward takes S = 25),
// never guessed at. Timeout, retries on 408/429/5xx and rate limit: @sketchvl/runtime's
// ChatCompletionsClient, as the PRM's remote-judge backend.
import type { ChartErrorCategory } from "@sketchvl/chartworld";
import { encodePng, type RasterImage } from "@sketchvl/drawing";
import { ChatCompletionsClient, type RemoteEndpointConfig } from "@sketchvl/runtime";
import type { ChartCodeError, ChartJudge, ChartJudgeInput, ChartJudgement } from "./types";

const CATEGORIES: readonly ChartErrorCategory[] = ["structure", "data", "text", "style"];

export const VISUAL_ERM_PROMPT =
  "You compare a reference chart (image 1) with a chart rendered from predicted code (image 2). List every " +
  "difference as JSON and nothing else: " +
  '{"errors": [{"category": "structure" | "data" | "text" | "style", "severity": 1 | 2 | 3, "location": "...", "description": "..."}]}. ' +
  "structure: chart type, layout, axes; data: values, series, categories; text: titles, labels, legends; style: colours, " +
  'sizes, fonts. Severity 1 is minor, 2 clear, 3 changes what the chart says. No differences: {"errors": []}.';

/** The longest judge text kept in an answer. */
const RAW_OUTPUT_CHARS = 2000;

/** Visual-ERM's JSON from a judge's text (bare, or in a ``` fence), or undefined when it is not exactly that. */
export function parseJudgeOutput(text: string): ChartCodeError[] | undefined {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text)?.[1];
  const body = (fenced ?? text).trim();
  const start = body.indexOf("{");
  const end = body.lastIndexOf("}");
  if (start < 0 || end < start) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body.slice(start, end + 1));
  } catch {
    return undefined;
  }
  const errors = (value as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return undefined;
  const out: ChartCodeError[] = [];
  for (const e of errors as Array<Record<string, unknown>>) {
    const category = typeof e?.category === "string" ? e.category.toLowerCase() : "";
    if (!CATEGORIES.includes(category as ChartErrorCategory)) return undefined;
    if (e.severity !== 1 && e.severity !== 2 && e.severity !== 3) return undefined;
    out.push({
      category: category as ChartErrorCategory,
      severity: e.severity,
      location: typeof e.location === "string" ? e.location : "",
      description: typeof e.description === "string" ? e.description : "",
    });
  }
  return out;
}

async function dataUrl(image: RasterImage): Promise<string> {
  return `data:image/png;base64,${(await encodePng(image)).toString("base64")}`;
}

interface ChatResponse {
  choices?: Array<{ message?: { content?: string | null } }>;
}

export class RemoteChartJudge implements ChartJudge {
  readonly needsImages = true;
  private readonly client: ChatCompletionsClient;

  constructor(config: RemoteEndpointConfig) {
    this.client = new ChatCompletionsClient(config);
  }

  async judge(input: ChartJudgeInput, signal?: AbortSignal): Promise<ChartJudgement> {
    const images = [input.referenceImage, input.renderedImage];
    const [reference, rendered] = await Promise.all(images.map((i) => (i ? dataUrl(i) : Promise.resolve(""))));
    const body = {
      messages: [
        { role: "system", content: VISUAL_ERM_PROMPT },
        {
          role: "user",
          content: [
            { type: "text", text: "Image 1: the reference chart." },
            { type: "image_url", image_url: { url: reference } },
            { type: "text", text: "Image 2: the chart rendered from the predicted code." },
            { type: "image_url", image_url: { url: rendered } },
          ],
        },
      ],
      temperature: 0,
      max_tokens: 1024,
    };
    const answer = (await this.client.complete(body, "a chart-to-code judgement", signal)) as ChatResponse;
    const text = answer.choices?.[0]?.message?.content ?? "";
    const errors = parseJudgeOutput(text);
    return { errors: errors ?? [], parsed: errors !== undefined, rawOutput: text.slice(0, RAW_OUTPUT_CHARS) };
  }
}
