import { INDICATORS_TABLE_SCHEMA, INDICATOR_COLUMNS, type IndicatorRow } from '@guichet/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applySecrecy, withheldCells, type SecrecyLine } from '../../src/modules/reports/open-data-secrecy';
import { closed, indicatorPeriod } from '../../src/modules/reports/reports.service';

/** A line counting `demandes` requests and `avis` survey answers (other families: none). */
const line = (key: string, demandes: number, avis = 0): SecrecyLine => ({
  key,
  populations: { demandes, appels: 0, delais: 0, premiere_reponse: 0, avis },
});
const hidden = (w: Set<string>, family: string) =>
  [...w]
    .filter((c) => c.endsWith(`|${family}`))
    .map((c) => c.split('|')[0])
    .sort();

describe('open data: statistical secrecy (threshold 5) leaves nobody to single out', () => {
  test('counts of 1 to 4 are withheld, 0 and 5 are published', () => {
    const lines = [line('a', 0), line('b', 5), line('c', 6), line('d', 7)];
    expect(hidden(withheldCells(lines, line('all', 18)), 'demandes')).toEqual([]);
    const four = [line('a', 4), line('b', 1), line('c', 9)];
    // a (4) and b (1) are small; together they count 5, the total cannot tell them apart.
    expect(hidden(withheldCells(four, line('all', 14)), 'demandes')).toEqual(['a', 'b']);
  });

  test('one withheld service takes the smallest other one with it, or « Ensemble » minus the rest would give it away', () => {
    const lines = [line('ec', 6), line('sco', 2), line('urba', 7)];
    // 15 − 6 − 7 = 2 would be Scolarité's count: État civil (6, the smallest other) is withheld too.
    expect(hidden(withheldCells(lines, line('all', 15)), 'demandes')).toEqual(['ec', 'sco']);
  });

  test('withheld services that count fewer than 5 together take another one; a service with 0 is no cover', () => {
    const lines = [line('a', 1), line('b', 2), line('c', 0), line('d', 40), line('e', 9)];
    expect(hidden(withheldCells(lines, line('all', 52)), 'demandes')).toEqual(['a', 'b', 'e']);
  });

  test('with no other service to hide with it, the total is withheld; a total under 5 is withheld with every line', () => {
    expect(hidden(withheldCells([line('a', 3), line('b', 0)], line('all', 3)), 'demandes')).toEqual(['a', 'all']);
    const forcedAlone = withheldCells([line('a', 30)], line('all', 30), new Set(['a|demandes']));
    expect(hidden(forcedAlone, 'demandes')).toEqual(['a', 'all']);
  });

  test('families are withheld apart: a service with 2 survey answers keeps its request count', () => {
    const lines = [line('ec', 30, 2), line('sco', 20, 12)];
    const w = withheldCells(lines, line('all', 50, 14));
    expect(hidden(w, 'demandes')).toEqual([]);
    expect(hidden(w, 'avis')).toEqual(['ec', 'sco']);
    const row: IndicatorRow = {
      annee: 2025,
      trimestre: null,
      service: 'État civil',
      demandes_recues: 30,
      appels_recus: 0,
      taux_appels_decroches: null,
      taux_reponses_dans_les_delais: null,
      delai_mediane_premiere_reponse_heures: null,
      avis_recus: 2,
      satisfaction_moyenne: 3.5,
      taux_satisfaction_8_sur_10: 50,
    };
    expect(applySecrecy('ec', row, w)).toEqual({
      ...row,
      avis_recus: null,
      satisfaction_moyenne: null,
      taux_satisfaction_8_sur_10: null,
    });
  });

  test('forced cells (what a quarter withheld) count as withheld lines of the year', () => {
    const lines = [line('a', 24), line('b', 17), line('c', 7)];
    expect(hidden(withheldCells(lines, line('all', 48), new Set(['a|demandes', 'b|demandes'])), 'demandes')).toEqual(['a', 'b']);
  });
});

describe('open data: periods and the published schema', () => {
  test('a quarter is its three months; a period is published once its last day is past in Paris', () => {
    expect(indicatorPeriod(2025, 4)).toEqual({ from: '2025-10-01', to: '2025-12-31' });
    expect(indicatorPeriod(2024, 1)).toEqual({ from: '2024-01-01', to: '2024-03-31' });
    expect(indicatorPeriod(2025)).toEqual({ from: '2025-01-01', to: '2025-12-31' });
    // 31 December 2025 at 23:30 UTC is already 1 January 2026 in Paris.
    expect(closed(2025, undefined, new Date('2025-12-31T23:30:00Z'))).toBe(true);
    expect(closed(2025, undefined, new Date('2025-12-31T22:30:00Z'))).toBe(false);
    expect(closed(2026, 1, new Date('2026-04-01T08:00:00Z'))).toBe(true);
    expect(closed(2026, 2, new Date('2026-04-01T08:00:00Z'))).toBe(false);
  });

  test('the schema describes every column of the files, in order, and the committed copy is the one served', () => {
    expect(INDICATORS_TABLE_SCHEMA.fields.map((f) => f.name)).toEqual([...INDICATOR_COLUMNS]);
    const committed = JSON.parse(readFileSync(join(__dirname, '../../../../docs/open-data/indicateurs.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(INDICATORS_TABLE_SCHEMA)));
  });
});
