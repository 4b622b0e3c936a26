// What an expert step marks, so any action drawn for that step can be graded exactly.
import type { ElementKind } from "./chartTypes";
import type { PixelShape } from "./actionShapes";

export type TargetShape = Exclude<PixelShape, { type: "text" }>;

export interface StepTarget {
  /** Pixel geometry of the ideal mark; its type is the action type the step calls for. */
  shape: TargetShape;
  /** The chart element marked (annotations.elements id), or null for a pure reference level (a threshold line). */
  elementId: string | null;
  /** Other elements of this kind count as "the wrong element" when the action fits one of them better. */
  rivalKind: ElementKind | null;
}
