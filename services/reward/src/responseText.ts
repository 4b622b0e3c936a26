// The one normalisation of a response's text before it is parsed and its answer graded, for every
// entry point (ScoreGroup, StreamGroup, POST /get_reward, and so the Python client and its shims).
// Frameworks hand us text decoded with its special tokens: verl's solution_str, a custom reward
// manager's tokenizer.decode, OpenRLHF's query all end in "…Answer: 2022<|im_end|>" and may carry
// padding ("<|endoftext|><|endoftext|>") or, in a multi-turn rollout, the chat template's turn
// headers between the policy's turns. Graded as written, "2022<|im_end|>" is a wrong answer.
//
// Chat-template tokens are blanked (each replaced by as many spaces), never removed: every
// character keeps its position, so the parser's spans and the caller's token offsets stay valid.
// Image markers (<|vision_start|>…, <image>) are kept: they are the turn boundaries the parser reads.

/** End-of-turn, end-of-text, padding and begin-of-text tokens of common chat templates. */
const SPECIAL_TOKENS = [
  "<|im_end|>",
  "<|endoftext|>",
  "<|im_sep|>", // ChatML / Qwen (Qwen pads with <|endoftext|>)
  "<|eot_id|>",
  "<|eom_id|>",
  "<|end_of_text|>",
  "<|begin_of_text|>",
  "<|finetune_right_pad_id|>", // Llama 3
  "<end_of_turn>",
  "<eos>",
  "<bos>",
  "<pad>", // Gemma
  "<s>",
  "</s>",
  "[INST]",
  "[/INST]",
  "<unk>", // Llama 2 / Mistral
  "<|end|>",
  "<|user|>",
  "<|assistant|>",
  "<|system|>",
  "<|pad|>",
  "<|eos|>", // Phi, GLM, others
  "<｜end▁of▁sentence｜>",
  "<｜begin▁of▁sentence｜>",
  "<｜User｜>",
  "<｜Assistant｜>",
  "<｜▁pad▁｜>", // DeepSeek
  "[PAD]",
  "[CLS]",
  "[SEP]",
];

/** Turn headers: the start-of-turn token with the role after it (the role is template text, not the policy's). */
const TURN_HEADERS = [
  String.raw`<\|im_start\|>(?:system|user|assistant|tool)?`,
  String.raw`<\|start_header_id\|>\w*<\|end_header_id\|>`,
  "<start_of_turn>(?:user|model|system)?",
];

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const CHAT_TOKENS = new RegExp([...TURN_HEADERS, ...SPECIAL_TOKENS.map(escapeRegExp)].join("|"), "g");

/** The text with every chat-template token blanked: same length, same code-point positions. */
export function textForParsing(text: string): string {
  if (!text.includes("<") && !text.includes("[")) return text;
  return text.replace(CHAT_TOKENS, (token) => " ".repeat(token.length));
}

/** The answer as graded and returned: chat-template tokens out, surrounding space trimmed. */
export function normalizeAnswer(answer: string): string {
  return textForParsing(answer).trim();
}

/** Padding and begin/end-of-text tokens (with whitespace) at either end: what left or right padding adds. */
const EDGE_TOKENS = [
  "<|endoftext|>",
  "<|end_of_text|>",
  "<|begin_of_text|>",
  "<|finetune_right_pad_id|>",
  "<pad>",
  "<|pad|>",
  "<s>",
  "</s>",
  "<bos>",
  "<eos>",
  "<unk>",
  "[PAD]",
  "[CLS]",
  "<｜begin▁of▁sentence｜>",
  "<｜end▁of▁sentence｜>",
  "<｜▁pad▁｜>",
];
const EDGE = `(?:${EDGE_TOKENS.map(escapeRegExp).join("|")})`;
const LEADING_PADDING = new RegExp(`^(?:\\s*${EDGE})+`);
const TRAILING_PADDING = new RegExp(`(?:${EDGE}\\s*)+$`);

/** Without the padding and begin/end-of-text tokens at its ends (OpenRLHF decodes left-padded sequences). */
export function withoutPadding(text: string): string {
  return text.replace(LEADING_PADDING, "").replace(TRAILING_PADDING, "");
}

/**
 * Where the assistant's turn starts in a chat template: the last of these in a prompt begins its
 * generation prompt ("<|im_start|>assistant\n", Llama 3's header, "[/INST]", ...).
 */
export const TURN_MARKERS = ["<|im_start|>", "<|start_header_id|>", "<start_of_turn>", "[/INST]", "<|assistant|>", "<｜Assistant｜>"];
