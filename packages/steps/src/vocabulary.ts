// The words the text syntaxes use for the action kinds. The kinds themselves, one name each
// (point, line, rectangle, circle, text), are the contract's (MarkName in @sketchvl/contract);
// this file holds only what models write for them and what SketchVL text writes back.
import type { MarkName } from "@sketchvl/contract";

/**
 * Words read as a mark kind, lower-case, in SketchVL's "#Draw <Word>" and JSON's "type": the
 * paper's "Box" (and "rect", "bbox") is a rectangle, "dot" a point, an arrow is drawn as a line,
 * "label" is text. Input words only: nothing outside the text syntaxes calls a rectangle a box.
 */
const MARK_WORDS: Readonly<Record<string, MarkName>> = {
  point: "point",
  dot: "point",
  line: "line",
  arrow: "line",
  box: "rectangle",
  rectangle: "rectangle",
  rect: "rectangle",
  bbox: "rectangle",
  circle: "circle",
  text: "text",
  label: "text",
};

/** The kind a word names (any case, surrounding space ignored); undefined for any other word. */
export function markNameOfWord(word: string): MarkName | undefined {
  const w = word.trim().toLowerCase();
  // Own keys only: "constructor" or "__proto__" must not find Object.prototype's members.
  return Object.hasOwn(MARK_WORDS, w) ? MARK_WORDS[w] : undefined;
}

/** The word SketchVL text writes for each kind ("#Draw Box, …", as in the paper). */
export const SKETCHVL_WORD: Readonly<Record<MarkName, string>> = {
  point: "Point",
  line: "Line",
  rectangle: "Box",
  circle: "Circle",
  text: "Text",
};
