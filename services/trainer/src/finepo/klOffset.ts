// Eqs. 3–4, the KL action regularization against reward hacking by favouring easy-to-score kinds:
//   O_clipped(a) = clip( −λ_KL · log( (P(a)+ε) / (Q(a)+ε) ), −γ, +γ ),   p'_j = p_j + O_clipped(a_j)
// Q is the prior action-kind distribution of the training set, P the policy's recent frequencies.
// Over-used kinds (P > Q) get a negative offset, under-used ones a positive one.
import { ACTION_KIND_SLOTS, ACTION_KINDS, ActionKind, isKnownActionKind } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";

/** Frequencies (summing to 1) by action kind. */
export type ActionDistribution = ReadonlyMap<ActionKind, number>;

export interface KlOffsetOptions {
  readonly lambdaKl: number;
  readonly gamma: number;
  readonly epsilon: number;
}

/**
 * O_clipped for one kind. Returns 0 when the kind has no entry in the prior (the paper's rule) and
 * when the current distribution is empty: an empty window carries no information about the policy,
 * and treating it as "every kind has frequency 0" would hand every kind the full +γ bonus.
 */
export function klOffset(kind: ActionKind, prior: ActionDistribution, current: ActionDistribution, options: KlOffsetOptions): number {
  if (current.size === 0) return 0;
  const q = prior.get(kind);
  if (q === undefined) return 0;
  const p = current.get(kind) ?? 0;
  const raw = -options.lambdaKl * Math.log((p + options.epsilon) / (q + options.epsilon));
  const clipped = raw > options.gamma ? options.gamma : Math.max(raw, -options.gamma);
  return clipped + 0; // −0 → 0, so λ = 0 prints and compares as a plain zero
}

/** The offsets of every kind at once, indexed by ActionKind: one table per group, no per-step lookups. */
export function klOffsetTable(prior: ActionDistribution, current: ActionDistribution, options: KlOffsetOptions): Float64Array {
  const table = new Float64Array(ACTION_KIND_SLOTS);
  for (const kind of ACTION_KINDS) table[kind] = klOffset(kind, prior, current, options);
  return table;
}

/** Counts by kind → frequencies. Zero total (nothing observed) → an empty distribution. */
export function actionDistribution(counts: Iterable<readonly [ActionKind, number]>): ActionDistribution {
  let total = 0;
  const entries: [ActionKind, number][] = [];
  for (const [kind, count] of counts) {
    if (!isKnownActionKind(kind)) throw new InvalidArgumentError("counts", `unknown action kind ${String(kind)}`);
    if (!Number.isFinite(count) || count < 0) {
      throw new InvalidArgumentError(`counts.${ActionKind[kind]}`, `must be a finite count >= 0, got ${count}`);
    }
    if (count > 0) entries.push([kind, count]);
    total += count;
  }
  const out = new Map<ActionKind, number>();
  if (total === 0) return out;
  for (const [kind, count] of entries) out.set(kind, (out.get(kind) ?? 0) + count / total);
  return out;
}

/** One entry of a wire-format distribution (proto ActionFrequency). */
export interface KindFrequency {
  readonly kind: ActionKind;
  readonly frequency: number;
}

/**
 * A request's `prior` / `current` list → a distribution. Weights are normalised to sum to 1 (so a
 * list of counts works too); an empty list is an empty distribution ("no information").
 * `field` is the list's name in the request, used in errors ("prior[2].frequency").
 */
export function distributionFromFrequencies(list: readonly KindFrequency[], field: string): ActionDistribution {
  const seen = new Set<ActionKind>();
  let total = 0;
  for (let i = 0; i < list.length; i++) {
    const { kind, frequency } = list[i];
    if (!isKnownActionKind(kind)) throw new InvalidArgumentError(`${field}[${i}].kind`, `unknown action kind ${kind}`);
    if (seen.has(kind)) throw new InvalidArgumentError(`${field}[${i}].kind`, `${ActionKind[kind]} is listed twice`);
    seen.add(kind);
    if (!Number.isFinite(frequency) || frequency < 0) {
      throw new InvalidArgumentError(`${field}[${i}].frequency`, `must be finite and >= 0, got ${frequency}`);
    }
    total += frequency;
  }
  const out = new Map<ActionKind, number>();
  if (list.length === 0) return out;
  if (total === 0) throw new InvalidArgumentError(field, "frequencies sum to 0");
  // An explicit 0 stays in the map: "this kind never happens" is information (the kind is present).
  for (const { kind, frequency } of list) out.set(kind, frequency / total);
  return out;
}

/** A distribution → the wire list, in ActionKind order (stable output for audits and tests). */
export function distributionToFrequencies(distribution: ActionDistribution): KindFrequency[] {
  return [...distribution.entries()].sort((a, b) => a[0] - b[0]).map(([kind, frequency]) => ({ kind, frequency }));
}
