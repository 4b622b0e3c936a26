// Features of a step's intent text: its verb (which action type it asks for) and whether the action
// drawn is of that type, the chart-element and direction words SketchVL intents use, a few hashed
// buckets for every other word, and whether it names a number.

/** Verb slots, in the order of geometry.ts's action types (rectangle, line, point, circle, text): the first word decides. */
const VERBS: readonly (readonly string[])[] = [
  ["box", "rectangle", "frame", "outline", "enclose"], // rectangle
  ["draw", "line", "connect", "extend", "trace"], // line (SketchVL writes "Draw a line ...")
  ["point", "mark", "dot", "pin", "locate"], // point
  ["circle", "ring", "encircle"], // circle
  ["write", "label", "annotate", "text", "note"], // text
];

/** Words whose presence anywhere in the intent is a feature. */
const KEYWORDS: readonly string[] = [
  "legend",
  "entry",
  "bar",
  "point",
  "line",
  "label",
  "tick",
  "axis",
  "x",
  "y",
  "value",
  "plot",
  "title",
  "horizontal",
  "vertical",
  "across",
  "through",
  "down",
  "from",
  "to",
  "end",
  "at",
  "highest",
  "lowest",
  "tallest",
  "longest",
  "shortest",
  "above",
  "below",
  "rises",
  "good",
  "that",
  "passes",
  "where",
  "a",
];

/** Hash buckets for the remaining words (names of series, categories...). */
const HASH_BUCKETS = 10;

/** Length of the intent feature block. */
export const INTENT_FEATURES = VERBS.length + 1 + 2 + KEYWORDS.length + HASH_BUCKETS + 2;

const KEYWORD_INDEX = new Map(KEYWORDS.map((k, i) => [k, i]));
const VERB_INDEX = new Map<string, number>();
VERBS.forEach((words, i) => {
  words.forEach((w) => {
    VERB_INDEX.set(w, i);
  });
});

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

// Lowercase words and numbers; "x-axis" splits into "x" and "axis". Bounded: a huge intent costs
// no more than its first 64 tokens.
const TOKEN = /[a-z]+|[0-9]+(?:[.,][0-9]+)*/g;
const MAX_TOKENS = 64;

/**
 * Writes the intent features of `intent` into out[offset .. offset + INTENT_FEATURES).
 * `actionType` is the action's type code (geometry.ts): the verb is compared with it.
 */
export function intentFeatures(intent: string, actionType: number, out: Float32Array, offset: number): void {
  out.fill(0, offset, offset + INTENT_FEATURES);
  const text = (typeof intent === "string" ? intent : "").slice(0, 1024).toLowerCase();
  const verbBase = offset;
  const matchSlot = verbBase + VERBS.length + 1;
  const kwBase = matchSlot + 2;
  const hashBase = kwBase + KEYWORDS.length;
  const numberSlot = hashBase + HASH_BUCKETS;
  const emptySlot = numberSlot + 1;
  TOKEN.lastIndex = 0;
  let count = 0;
  for (let m = TOKEN.exec(text); m !== null && count < MAX_TOKENS; m = TOKEN.exec(text)) {
    const tok = m[0];
    if (count === 0) {
      const verb = VERB_INDEX.get(tok);
      out[verbBase + (verb ?? VERBS.length)] = 1;
      // The verb names an action type: is the action of that type?
      if (verb !== undefined) out[verb === actionType ? matchSlot : matchSlot + 1] = 1;
    }
    count++;
    const c = tok.charCodeAt(0);
    if (c >= 48 && c <= 57) {
      out[numberSlot] = 1;
      continue;
    }
    const k = KEYWORD_INDEX.get(tok);
    if (k !== undefined) out[kwBase + k] = 1;
    else out[hashBase + (fnv(tok) % HASH_BUCKETS)] += 0.5;
  }
  if (count === 0) out[emptySlot] = 1;
}
