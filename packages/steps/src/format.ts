// Writing steps as SketchVL text, the format parse/sketchvl.ts reads: "#Draw Box, [y1,x1,y2,x2], Red"
// in NORM_1000 with y first (Line the same; Point / Text [y,x], Circle [y,x,r]; Text's string
// quoted after its point). ChartWorld's expert trajectories and PRM data are written with it.
import type { DrawingAction } from "@sketchvl/contract";
import { SKETCHVL_WORD } from "./vocabulary";

/** "#Draw Box, [y1,x1,y2,x2], Red" for a NORM_1000 action (numbers printed as stored). */
export function formatSketchVLAction(action: DrawingAction): string {
  const k = action.kind;
  const color = action.color || "Red";
  const pt = (q: { x: number; y: number } | undefined): string => `${q?.y ?? 0},${q?.x ?? 0}`;
  switch (k?.$case) {
    case "rectangle":
      return `#Draw ${SKETCHVL_WORD.rectangle}, [${pt(k.value.corner1)},${pt(k.value.corner2)}], ${color}`;
    case "line":
      return `#Draw ${SKETCHVL_WORD.line}, [${pt(k.value.start)},${pt(k.value.end)}], ${color}`;
    case "point":
      return `#Draw ${SKETCHVL_WORD.point}, [${pt(k.value.at)}], ${color}`;
    case "circle":
      return `#Draw ${SKETCHVL_WORD.circle}, [${pt(k.value.center)},${k.value.radius}], ${color}`;
    case "text":
      return `#Draw ${SKETCHVL_WORD.text}, [${pt(k.value.at)}], ${JSON.stringify(k.value.text)}, ${color}`;
    default:
      throw new Error("cannot format an empty or crop action as SketchVL");
  }
}

/** One SketchVL step, numbered from 1: Deduction / Intent / Action lines. */
export function formatSketchVLStep(index1: number, deduction: string, intent: string, action: DrawingAction): string {
  const lines = [];
  if (deduction) lines.push(`Deduction${index1}: ${deduction}`);
  lines.push(`Intent${index1}: ${intent}`);
  lines.push(`Action${index1}: ${formatSketchVLAction(action)}`);
  return lines.join("\n");
}
