// The service-wide prior Q(a) of Eq. 3: "precomputed on the training set". From a file of
// frequencies, from a dataset of trajectories, or — with neither — uniform over the four drawing
// kinds the paper balances 1:1:1:1 in FinePRM's training data. Crop is not one of the paper's
// kinds: absent from the default prior, its offset is 0 (Eq. 3's rule for kinds without a prior).
import { readFileSync } from "node:fs";
import { ACTION_KIND_OF_NAME, ActionKind, type ActionName } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import { markNameOfWord } from "@sketchvl/steps";
import { type ActionDistribution, distributionFromFrequencies } from "./finepo";

export const UNIFORM_DRAWING_PRIOR: ActionDistribution = new Map([
  [ActionKind.ACTION_KIND_POINT, 0.25],
  [ActionKind.ACTION_KIND_LINE, 0.25],
  [ActionKind.ACTION_KIND_RECTANGLE, 0.25],
  [ActionKind.ACTION_KIND_CIRCLE, 0.25],
]);

/**
 * "point", "POINT", "ACTION_KIND_POINT" → the kind: the contract's names, in any case, with or
 * without the enum's prefix; also the words the text syntaxes accept ("box", "rect" → rectangle),
 * since prior files are often counted from model output.
 */
export function actionKindFromName(name: string, field: string): ActionKind {
  const word = name
    .trim()
    .toLowerCase()
    .replace(/^action_kind_/, "");
  const kindName: ActionName | undefined = Object.hasOwn(ACTION_KIND_OF_NAME, word) ? (word as ActionName) : markNameOfWord(word);
  if (kindName === undefined) {
    throw new InvalidArgumentError(field, `unknown action kind "${name}" (point, line, rectangle, circle, text, crop)`);
  }
  return ACTION_KIND_OF_NAME[kindName];
}

/**
 * Parses a prior file: a JSON object {kind: frequency or count} (pretty-printed or not; an
 * explicit 0 is kept: "this kind never happens" is information), or JSONL with one trajectory a
 * line, `{"actions": ["rectangle", "line", ...]}`, whose kinds are counted.
 */
export function parsePrior(text: string, source: string): ActionDistribution {
  const counts = new Map<ActionKind, number>();
  const add = (name: string, n: number, field: string) => {
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(field, `must be a finite number >= 0, got ${n}`);
    const kind = actionKindFromName(name, field);
    counts.set(kind, (counts.get(kind) ?? 0) + n);
  };
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    whole = undefined; // not one JSON document: JSONL
  }
  if (whole !== null && typeof whole === "object" && !Array.isArray(whole) && !("actions" in whole)) {
    for (const [name, n] of Object.entries(whole as Record<string, number>)) add(name, n, `${source}.${name}`);
  } else {
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      let actions: unknown;
      try {
        actions = (JSON.parse(line) as { actions?: unknown }).actions;
      } catch (err) {
        throw new InvalidArgumentError(`${source}:${i + 1}`, `not JSON: ${(err as Error).message}`);
      }
      if (!Array.isArray(actions)) throw new InvalidArgumentError(`${source}:${i + 1}`, 'each line needs an "actions" list');
      for (const name of actions) add(String(name), 1, `${source}:${i + 1}`);
    });
  }
  if (counts.size === 0) throw new InvalidArgumentError(source, "the prior is empty");
  return distributionFromFrequencies(
    [...counts].map(([kind, frequency]) => ({ kind, frequency })),
    source,
  );
}

export function loadPrior(path: string): ActionDistribution {
  if (!path) return UNIFORM_DRAWING_PRIOR;
  try {
    return parsePrior(readFileSync(path, "utf8"), path);
  } catch (err) {
    throw new InvalidArgumentError("priorFile", `${path}: ${(err as Error).message}`);
  }
}
