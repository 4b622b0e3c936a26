// Finding the policy's response in what OpenRLHF sends: `query` is prompt + response decoded with
// special tokens kept, and it is not always `prompt` followed by the response:
//  - left padding puts pad tokens before the prompt (and right padding after the response);
//  - a vision-language tokenizer expands the prompt's one image placeholder into hundreds of
//    <|image_pad|> tokens, so the decoded prompt differs from `prompts[i]`;
//  - the prompt itself may hold chat turns (a few-shot "#Draw" example in the system prompt).
// Parsing the whole query would score the prompt's example steps as the policy's.
//
// How: padding is dropped at both ends and runs of image-pad tokens are collapsed to one (in both);
// if the query then starts with the prompt, the response is the rest. Otherwise the prompt's end is located by its last turn marker: the prompt's tail from
// its last "<|im_start|>" (or Llama 3 header, Gemma turn, "[/INST]", ...) — its generation prompt,
// e.g. "<|im_start|>assistant\n". If that tail occurs k times in the prompt (once, or more when the
// system prompt holds example turns), the response starts after its k-th occurrence in the query:
// later occurrences are the policy's own turns of a multi-turn rollout and stay in the response.
// A prompt without turn markers uses its last line as the tail. Not found → undefined (a 400).
import { TURN_MARKERS, withoutPadding } from "./responseText";

/** Shortest tail worth searching for; shorter ones (a bare "A:") would match inside the response. */
const MIN_TAIL = 8;

function tailOf(prompt: string): string {
  let at = -1;
  for (const marker of TURN_MARKERS) at = Math.max(at, prompt.lastIndexOf(marker));
  if (at >= 0) return prompt.slice(at);
  const trimmed = prompt.trimEnd();
  const lineStart = trimmed.lastIndexOf("\n", trimmed.length - MIN_TAIL) + 1;
  return prompt.slice(Math.max(0, Math.min(lineStart, prompt.length - MIN_TAIL)));
}

/** One <|image_pad|> / <|video_pad|> for a run of them: what a processor's expansion undoes. */
const collapseImagePads = (text: string) => text.replace(/(<\|(?:image|video)_pad\|>)(?:\1)+/g, "$1");

function occurrences(text: string, part: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length)) out.push(i);
  return out;
}

/** The response part of an OpenRLHF query, or undefined when the prompt's end cannot be found in it. */
export function responseOfQuery(query: string, prompt: string): string | undefined {
  const q = collapseImagePads(withoutPadding(query));
  const p = collapseImagePads(withoutPadding(prompt));
  if (p === "") return q;
  if (q.startsWith(p)) return q.slice(p.length);
  const tail = tailOf(p);
  const inPrompt = occurrences(p, tail).length;
  const inQuery = occurrences(q, tail);
  if (inQuery.length < inPrompt) return undefined;
  return q.slice(inQuery[inPrompt - 1] + tail.length);
}
