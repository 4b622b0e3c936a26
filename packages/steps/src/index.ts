// @sketchvl/steps: policy steps as text, in one place. The action words of each syntax
// (vocabulary.ts; the kinds' names are the contract's), parsing every supported syntax into the
// contract's ParsedResponse (parse/), writing SketchVL text (format.ts), and the pure color and
// coordinate rules the parser checks with and @sketchvl/drawing draws with. Pure: no images, no I/O.
export { parseSteps, detectFormat, codePointMapper } from "./parse";
export { formatSketchVLAction, formatSketchVLStep } from "./format";
export { markNameOfWord, SKETCHVL_WORD } from "./vocabulary";
export { parseColor, toHex, COLOR_NAMES, type Rgb } from "./colors";
export { coordinateProblem, pointToPixels, radiusToPixels, type CoordinateAxis, type Px } from "./coordinates";
