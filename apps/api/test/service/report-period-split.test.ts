import { cutPeriod, monthlyDaily, previousPeriod, splitPeriod } from '../../src/modules/reports/report-facts';

describe('a report period is read as whole months plus the days at its edges', () => {
  test('a calendar year is twelve months and no day', () => {
    expect(splitPeriod('2026-01-01', '2026-12-31')).toEqual({ months: ['2026-01-01', '2026-12-01'], days: [] });
  });

  test('15 January to 10 March: the end of January, February, the start of March', () => {
    expect(splitPeriod('2026-01-15', '2026-03-10')).toEqual({
      months: ['2026-02-01', '2026-02-01'],
      days: [
        ['2026-01-15', '2026-01-31'],
        ['2026-03-01', '2026-03-10'],
      ],
    });
  });

  test('a leap February ends on the 29th; a period inside one month reads days only', () => {
    expect(splitPeriod('2028-02-01', '2028-02-29')).toEqual({ months: ['2028-02-01', '2028-02-01'], days: [] });
    expect(splitPeriod('2028-02-01', '2028-02-28')).toEqual({ months: null, days: [['2028-02-01', '2028-02-28']] });
    expect(splitPeriod('2026-01-05', '2026-01-06')).toEqual({ months: null, days: [['2026-01-05', '2026-01-06']] });
  });

  test('two partial months side by side hold no whole month', () => {
    expect(splitPeriod('2026-01-20', '2026-02-10')).toEqual({ months: null, days: [['2026-01-20', '2026-02-10']] });
    expect(splitPeriod('2025-12-02', '2026-01-31')).toEqual({
      months: ['2026-01-01', '2026-01-01'],
      days: [['2025-12-02', '2025-12-31']],
    });
  });

  test('deltas of several days of a month add up on its row; days that cancel out write nothing', () => {
    const key = { organization_id: 'o', team_id: 't', channel_kind: 'sms', request_type_id: null };
    const months = monthlyDaily([
      { ...key, day: '2026-01-05', counters: { created: 1 } },
      { ...key, day: '2026-01-20', counters: { created: 1, resolved: 1 }, hist: [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0] },
      { ...key, day: '2026-02-03', counters: { created: -1 } },
      { ...key, day: '2026-02-27', counters: { created: 1 } },
    ]);
    expect(months).toEqual([
      {
        ...key,
        day: '2026-01-01',
        counters: { created: 2, resolved: 1 },
        hist: [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0],
      },
    ]);
  });
});

describe('a report is compared with the period just before it', () => {
  test('whole months: the month, quarter or year before (February after January, not 28 days)', () => {
    expect(previousPeriod('2026-03-01', '2026-03-31')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(previousPeriod('2026-01-01', '2026-01-31')).toEqual({ from: '2025-12-01', to: '2025-12-31' });
    expect(previousPeriod('2026-04-01', '2026-06-30')).toEqual({ from: '2026-01-01', to: '2026-03-31' });
    expect(previousPeriod('2025-01-01', '2025-12-31')).toEqual({ from: '2024-01-01', to: '2024-12-31' });
  });

  test('any other period: as many days just before', () => {
    expect(previousPeriod('2026-01-15', '2026-01-21')).toEqual({ from: '2026-01-08', to: '2026-01-14' });
    expect(previousPeriod('2026-03-01', '2026-03-10')).toEqual({ from: '2026-02-19', to: '2026-02-28' });
  });
});

describe('a history read is cut at the previous period’s ends, so that no month straddles a FILTER', () => {
  test('cut after each day inside the period, in order, duplicates and outside days ignored', () => {
    expect(cutPeriod('2000-01-01', '2026-01-13', ['2026-01-05', '2025-12-28', '2026-01-05', '2030-01-01'])).toEqual([
      ['2000-01-01', '2025-12-28'],
      ['2025-12-29', '2026-01-05'],
      ['2026-01-06', '2026-01-13'],
    ]);
  });

  test('a cut on the last day, or none, leaves the period whole', () => {
    expect(cutPeriod('2026-01-01', '2026-12-31', ['2026-12-31'])).toEqual([['2026-01-01', '2026-12-31']]);
    expect(cutPeriod('2026-01-01', '2026-12-31', [])).toEqual([['2026-01-01', '2026-12-31']]);
  });
});
