// Test support for the parser tests (not product code; not imported by the service).
import type { TextSpan } from "@sketchvl/contract";

/** Python-style slicing by code points. */
export function cpSlice(text: string, span: TextSpan | undefined): string {
  if (!span) throw new Error("no span");
  return Array.from(text).slice(span.start, span.end).join("");
}
