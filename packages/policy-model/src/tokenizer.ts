// The built-in policy's tokenizer: a compact vocabulary of whole words (with their leading space),
// numbers 0–1000 as single tokens (SketchVL coordinates are 0–1000), single characters as the
// fallback, and six special tokens. Encoding is deterministic and total over printable ASCII:
// a word outside the vocabulary is spelled letter by letter, anything else becomes <unk>.

export const SPECIAL_TOKENS = { pad: 0, bos: 1, eos: 2, eot: 3, image: 4, unk: 5 } as const;
const SPECIAL_TEXT = ["", "", "", "", "<image>", "\ufffd"];
const SPECIAL_NAMES = ["<pad>", "<bos>", "<eos>", "<eot>", "<image>", "<unk>"];

/** Pieces in text order: words with an optional leading space, numbers split into ≤ 3-digit runs. */
const PIECE = / ?[A-Za-z]+|1000|[1-9]\d{0,2}|\d|\n| ?[^\sA-Za-z\d]| |[\s\S]/gu;

/** Pieces every vocabulary holds, so that any printable ASCII text encodes without <unk>. */
function basePieces(): string[] {
  const out = ["\n", " "];
  for (let c = 33; c < 127; c++) {
    const ch = String.fromCharCode(c);
    out.push(ch);
    if (!/[\d]/.test(ch)) out.push(` ${ch}`);
  }
  for (let n = 0; n <= 1000; n++) out.push(String(n));
  return out;
}

export interface VocabularyJson {
  /** Format tag, so a version folder's vocab.json is recognised as this tokenizer's. */
  tokenizer: "sketchvl-policy-v1";
  /** Ordinary pieces; token id = index + the number of special tokens. */
  pieces: string[];
}

export class Tokenizer {
  private readonly ids = new Map<string, number>();
  private readonly texts: string[];

  private constructor(readonly pieces: readonly string[]) {
    this.texts = [...SPECIAL_TEXT, ...pieces];
    pieces.forEach((p, i) => {
      this.ids.set(p, i + SPECIAL_TEXT.length);
    });
  }

  /** A vocabulary of the base pieces plus every word `corpus` uses at least `minCount` times. */
  static build(corpus: Iterable<string>, minCount = 2): Tokenizer {
    const base = basePieces();
    const known = new Set(base);
    const counts = new Map<string, number>();
    for (const text of corpus) {
      for (const [piece] of text.matchAll(PIECE)) {
        if (!known.has(piece) && /[A-Za-z]{2}/.test(piece)) counts.set(piece, (counts.get(piece) ?? 0) + 1);
      }
    }
    const words = [...counts]
      .filter(([, n]) => n >= minCount)
      .map(([w]) => w)
      .sort();
    return new Tokenizer([...base, ...words]);
  }

  static fromJSON(json: VocabularyJson | string): Tokenizer {
    const parsed: VocabularyJson = typeof json === "string" ? JSON.parse(json) : json;
    if (parsed?.tokenizer !== "sketchvl-policy-v1" || !Array.isArray(parsed.pieces)) {
      throw new Error('not a sketchvl-policy-v1 vocabulary (expected {"tokenizer": "sketchvl-policy-v1", "pieces": [...]})');
    }
    return new Tokenizer(parsed.pieces);
  }

  toJSON(): VocabularyJson {
    return { tokenizer: "sketchvl-policy-v1", pieces: [...this.pieces] };
  }

  get vocabSize(): number {
    return this.texts.length;
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const [piece] of text.matchAll(PIECE)) {
      const id = this.ids.get(piece);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      // An unknown word: its leading space, then letter by letter (every letter is a base piece).
      for (const ch of piece) out.push(this.ids.get(ch) ?? SPECIAL_TOKENS.unk);
    }
    return out;
  }

  decode(ids: readonly number[]): string {
    return this.decodeWithOffsets(ids).text;
  }

  /** The text and where each token starts in it, in code points (the reward service's offsets). */
  decodeWithOffsets(ids: readonly number[]): { text: string; offsets: number[] } {
    const offsets: number[] = [];
    let text = "";
    let at = 0;
    for (const id of ids) {
      offsets.push(at);
      const piece = this.piece(id);
      text += piece;
      at += [...piece].length;
    }
    return { text, offsets };
  }

  piece(id: number): string {
    const piece = this.texts[id];
    if (piece === undefined) throw new RangeError(`token id ${id} is outside the vocabulary (size ${this.texts.length})`);
    return piece;
  }

  /** A readable name: specials by name, others as their text. */
  name(id: number): string {
    return id < SPECIAL_NAMES.length ? SPECIAL_NAMES[id] : this.piece(id);
  }
}

/** The prompt the policy continues: <bos>, then the question. */
export function promptTokens(tokenizer: Tokenizer, question: string): number[] {
  return [SPECIAL_TOKENS.bos, ...tokenizer.encode(`Question: ${question.trim()}\n`)];
}
