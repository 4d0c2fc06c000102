import { INDICATOR_FAMILIES, OPEN_DATA_MIN_COUNT, type IndicatorFamily, type IndicatorRow } from '@guichet/contracts';

export const INDICATOR_FAMILY_NAMES = Object.keys(INDICATOR_FAMILIES) as IndicatorFamily[];

/** A line of an indicator file before secrecy: a service (its id) or the whole (`all`), and how many people each family counts. */
export interface SecrecyLine {
  key: string;
  populations: Record<IndicatorFamily, number>;
}

/** The figure families withheld, as `key|family`. */
export type Withheld = Set<string>;
export const withheldCell = (key: string, family: IndicatorFamily) => `${key}|${family}`;

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Statistical secrecy of one indicator file (service lines and their total), family by family:
 * 1. primary: a population of 1 to k − 1 is withheld (0 is published: nobody to single out);
 * 2. complementary: the total minus the published lines gives the sum of the withheld ones, so
 *    while fewer than two lines are withheld, or they count together fewer than k people, the
 *    smallest other line that counts someone is withheld too (when none is left, the total is);
 * `forced` cells are withheld whatever their size (a year withholds what its quarters withheld),
 * and count as withheld lines for step 2.
 */
export function withheldCells(
  lines: readonly SecrecyLine[],
  total: SecrecyLine,
  forced: ReadonlySet<string> = new Set(),
  k = OPEN_DATA_MIN_COUNT,
): Withheld {
  const out: Withheld = new Set();
  const small = (n: number) => n > 0 && n < k;
  for (const f of INDICATOR_FAMILY_NAMES) {
    const hidden = lines.filter((l) => small(l.populations[f]) || forced.has(withheldCell(l.key, f)));
    let totalHidden = small(total.populations[f]) || forced.has(withheldCell(total.key, f));
    if (!totalHidden) {
      const candidates = lines
        .filter((l) => !hidden.includes(l) && l.populations[f] > 0)
        .sort((a, b) => a.populations[f] - b.populations[f] || byKey(a.key, b.key));
      const sum = () => hidden.reduce((s, l) => s + l.populations[f], 0);
      while (hidden.length > 0 && (hidden.length < 2 || sum() < k)) {
        const next = candidates.shift();
        if (!next) {
          totalHidden = true;
          break;
        }
        hidden.push(next);
      }
    }
    for (const l of hidden) out.add(withheldCell(l.key, f));
    if (totalHidden) out.add(withheldCell(total.key, f));
  }
  return out;
}

/** The line with the figures of its withheld families set to null. */
export function applySecrecy(key: string, row: IndicatorRow, withheld: ReadonlySet<string>): IndicatorRow {
  const out = { ...row };
  for (const f of INDICATOR_FAMILY_NAMES) {
    if (!withheld.has(withheldCell(key, f))) continue;
    for (const field of INDICATOR_FAMILIES[f]) (out as Record<string, unknown>)[field] = null;
  }
  return out;
}
