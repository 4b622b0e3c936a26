// What the format parsers produce before index.ts numbers steps and converts spans to code points.
import type { DrawingAction } from "@sketchvl/contract";
import type { Span16 } from "./offsets";

export interface StepDraft {
  type: "step";
  turn: number;
  intent: string;
  deduction: string;
  action: DrawingAction;
  span: Span16;
  intentSpan?: Span16;
  actionSpan: Span16;
}

export interface ErrorDraft {
  type: "error";
  span: Span16;
  field: string;
  message: string;
}

/** Steps and errors in text order (the order decides step numbering). */
export type Item = StepDraft | ErrorDraft;

export interface FormatParse {
  items: Item[];
  /** The turn a text position belongs to (for the final answer). */
  turnAt(pos: number): number;
}

/** A problem with one part of a step; `span` (UTF-16, absolute) narrows it when known. */
export interface FieldError {
  field: string;
  message: string;
  span?: Span16;
}

export const isFieldError = (v: unknown): v is FieldError => typeof v === "object" && v !== null && "field" in v && "message" in v && !("action" in v);

export function errorItem(e: FieldError, fallback: Span16): ErrorDraft {
  return { type: "error", span: e.span ?? fallback, field: e.field, message: e.message };
}
