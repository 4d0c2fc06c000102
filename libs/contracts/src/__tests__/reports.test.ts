import { defaultGranularity, reportQuerySchema } from '../reports';

describe('a report asked without granularity is drawn at a scale fit for its length', () => {
  test('a month by day, a quarter by week, a year by month', () => {
    expect(defaultGranularity('2026-01-01', '2026-01-31')).toBe('day');
    expect(defaultGranularity('2026-01-01', '2026-03-03')).toBe('day');
    expect(defaultGranularity('2026-01-01', '2026-03-31')).toBe('week');
    expect(defaultGranularity('2026-01-01', '2026-06-30')).toBe('week');
    expect(defaultGranularity('2026-01-01', '2026-12-31')).toBe('month');
  });

  test('the query keeps an explicit granularity and fills a missing one; filters are checked', () => {
    expect(reportQuerySchema.parse({ from: '2026-01-01', to: '2026-12-31' }).granularity).toBe('month');
    expect(reportQuerySchema.parse({ from: '2026-01-01', to: '2026-12-31', granularity: 'day' }).granularity).toBe('day');
    expect(reportQuerySchema.parse({ from: '2026-01-01', to: '2026-01-31', channel: 'sms' }).channel).toBe('sms');
    expect(reportQuerySchema.safeParse({ from: '2026-01-01', to: '2026-01-31', channel: 'fax' }).success).toBe(false);
    expect(reportQuerySchema.safeParse({ from: '2026-01-01', to: '2026-01-31', format: 'xlsx' }).success).toBe(true);
  });
});
