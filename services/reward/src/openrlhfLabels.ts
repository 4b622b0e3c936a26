// OpenRLHF's `labels[i]`: the dataset's label value passed through unchanged; ours is a JSON string
// {"image": "sha256:…" | "relative/path.png", "question": "...", "references": ["2015", ...]}
// ("answer": "2015", or 2015, instead of references for a single accepted answer). Types are
// checked, never coerced: a references string "2022" would otherwise become the accepted answers "2","0","2","2"
// in one client and ["2022"] in another; it is a 400 naming the field.
import { HttpError, typeOf } from "./httpBody";

export interface OpenRlhfLabel {
  image: string;
  question: string;
  references: string[];
}

const KEYS = new Set(["image", "question", "references", "answer"]);

export function parseLabel(json: string, field: string): OpenRlhfLabel {
  let label: unknown;
  try {
    label = JSON.parse(json);
  } catch {
    throw new HttpError(400, `${field}: not a JSON string`, field);
  }
  if (typeof label !== "object" || label === null || Array.isArray(label)) {
    throw new HttpError(400, `${field}: must be a JSON object {"image", "question", "references"}, got ${typeOf(label)}`, field);
  }
  const { image, question, references, answer } = label as Record<string, unknown>;
  if (typeof image !== "string" || image === "") {
    throw new HttpError(400, `${field}.image: give the image digest or path (a string), got ${typeOf(image)}`, `${field}.image`);
  }
  if (question !== undefined && typeof question !== "string") {
    throw new HttpError(400, `${field}.question: must be a string, got ${typeOf(question)}`, `${field}.question`);
  }
  if (references !== undefined && !(Array.isArray(references) && references.every((r) => typeof r === "string"))) {
    const hint = typeof references === "string" ? `; write [${JSON.stringify(references)}]` : "";
    throw new HttpError(400, `${field}.references: must be a list of strings (the accepted answers), got ${typeOf(references)}${hint}`, `${field}.references`);
  }
  // One answer may be a JSON number (datasets store 2022 as a number): its decimal form is unambiguous.
  if (answer !== undefined && typeof answer !== "string" && !(typeof answer === "number" && Number.isFinite(answer))) {
    throw new HttpError(400, `${field}.answer: must be a string (or a number), got ${typeOf(answer)}`, `${field}.answer`);
  }
  const accepted = (references as string[] | undefined) ?? (answer !== undefined ? [String(answer)] : []);
  if (accepted.length === 0) {
    const keys = Object.keys(label).filter((k) => !KEYS.has(k));
    const extra = keys.length ? ` (unknown keys: ${keys.join(", ")})` : "";
    throw new HttpError(400, `${field}.references: give the accepted answers as "references": [...] or one as "answer"${extra}`, `${field}.references`);
  }
  return { image, question: (question as string | undefined) ?? "", references: accepted };
}
