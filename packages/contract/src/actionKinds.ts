// The action vocabulary of the contract, written once beside the generated enums (this file is
// hand-written; gen/ is not). A DrawingAction's oneof case is the one name of each kind: "point",
// "line", "rectangle", "circle", "text", "crop". Every other place that needs a kind's name, its
// ActionKind or how many numbers it takes imports it from here, so the maps cannot drift apart.
// Input words such as "box" or "bbox" belong to the text syntaxes (@sketchvl/steps), not here.
import { ActionKind, type DrawingAction } from "./gen/sketchvl/v1/action";

/** A DrawingAction's kind, by its oneof case name. */
export type ActionName = NonNullable<DrawingAction["kind"]>["$case"];

/** The kinds a policy draws as a mark (everything but crop, which changes the image instead). */
export type MarkName = Exclude<ActionName, "crop">;

/** The enum value of each kind. Record<ActionName, …> makes tsc reject a kind left out. */
export const ACTION_KIND_OF_NAME: Readonly<Record<ActionName, ActionKind>> = {
  point: ActionKind.ACTION_KIND_POINT,
  line: ActionKind.ACTION_KIND_LINE,
  rectangle: ActionKind.ACTION_KIND_RECTANGLE,
  circle: ActionKind.ACTION_KIND_CIRCLE,
  text: ActionKind.ACTION_KIND_TEXT,
  crop: ActionKind.ACTION_KIND_CROP,
};

/** Every kind name, in ActionKind order (point = 1 … crop = 6). */
export const ACTION_NAMES: readonly ActionName[] = (Object.keys(ACTION_KIND_OF_NAME) as ActionName[]).sort(
  (a, b) => ACTION_KIND_OF_NAME[a] - ACTION_KIND_OF_NAME[b],
);

/** The mark kinds, in ActionKind order. */
export const MARK_NAMES: readonly MarkName[] = ACTION_NAMES.filter((n): n is MarkName => n !== "crop");

/** Every ActionKind but UNSPECIFIED, in enum order. */
export const ACTION_KINDS: readonly ActionKind[] = ACTION_NAMES.map((n) => ACTION_KIND_OF_NAME[n]);

/** Length of a table indexed by ActionKind (UNSPECIFIED's slot 0 included). */
export const ACTION_KIND_SLOTS = Math.max(...ACTION_KINDS) + 1;

const NAME_OF_KIND: ReadonlyMap<ActionKind, ActionName> = new Map(ACTION_NAMES.map((n) => [ACTION_KIND_OF_NAME[n], n]));

/**
 * True for a defined ActionKind other than UNSPECIFIED (a number read off the wire may be anything).
 * A range check, not a lookup (FinePO calls it per step): the kinds are 1..N with no gaps, which
 * actionKinds.test.ts checks.
 */
export function isKnownActionKind(kind: unknown): kind is ActionKind {
  return typeof kind === "number" && Number.isInteger(kind) && kind >= 1 && kind < ACTION_KIND_SLOTS;
}

/** The name of an ActionKind; undefined for UNSPECIFIED and unknown values. */
export function actionNameOfKind(kind: ActionKind): ActionName | undefined {
  return NAME_OF_KIND.get(kind);
}

/** The kind name of an action; undefined when it has no kind. */
export function actionNameOf(action: DrawingAction | undefined): ActionName | undefined {
  return action?.kind?.$case;
}

/** The ActionKind of an action; UNSPECIFIED when it has no kind. */
export function actionKindOf(action: DrawingAction | undefined): ActionKind {
  const name = actionNameOf(action);
  return name === undefined ? ActionKind.ACTION_KIND_UNSPECIFIED : ACTION_KIND_OF_NAME[name];
}

/**
 * How many numbers each kind is written with in a flat list (the text syntaxes' coordinate lists):
 * a point per point, a radius, two corners. Text's string and every color are not numbers.
 */
export const COORDINATE_COUNT: Readonly<Record<ActionName, number>> = { point: 2, line: 4, rectangle: 4, circle: 3, text: 2, crop: 4 };
