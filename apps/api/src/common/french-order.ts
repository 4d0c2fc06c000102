const collator = new Intl.Collator('fr', { sensitivity: 'base', numeric: true });

/**
 * Names in French dictionary order: « État civil » between « Développement économique » and
 * « Scolarité », not after « Vie sportive » as a byte-wise ORDER BY puts it.
 */
export function byFrenchName<T extends { name: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => collator.compare(a.name, b.name));
}
