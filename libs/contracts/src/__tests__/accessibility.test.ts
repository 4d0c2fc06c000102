import { conformityBasis, conformityLevel, formatRate, statementValidity } from '../accessibility';

describe('RGAA conformity level', () => {
  const on = (rate: number | null) => conformityLevel({ rate, publishedOn: '2026-03-15' }, '2026-04-01');

  it('is total at 100 %, partial from 50 % up to below 100 %, none below 50 % or without an audit', () => {
    expect(on(100)).toBe('total');
    expect(on(99.9)).toBe('partial');
    expect(on(50)).toBe('partial');
    expect(on(49.9)).toBe('none');
    expect(on(0)).toBe('none');
    expect(on(null)).toBe('none');
    expect(conformityLevel({ rate: 100, publishedOn: null }, '2026-04-01')).toBe('none');
  });

  it('is none from the day the statement should have been updated, 3 years after its publication', () => {
    const basis = { rate: 77.5, publishedOn: '2026-03-15' };
    expect(conformityLevel(basis, '2029-03-14')).toBe('partial');
    expect(conformityLevel(basis, '2029-03-15')).toBe('none');
    expect(conformityLevel({ rate: 100, publishedOn: '2026-03-15' }, '2030-01-01')).toBe('none');
    // The same day number 36 months later, else the month's last day.
    expect(conformityLevel({ rate: 100, publishedOn: '2024-02-29' }, '2027-02-27')).toBe('total');
    expect(conformityLevel({ rate: 100, publishedOn: '2024-02-29' }, '2027-02-28')).toBe('none');
  });

  it('counts from the statement’s last update, else its establishment (not the audit’s date)', () => {
    const audit = { rate: 80 };
    expect(conformityBasis(null)).toEqual({ rate: null, publishedOn: null });
    expect(conformityBasis({ audit, establishedOn: '2023-01-10', updatedOn: null })).toEqual({
      rate: 80,
      publishedOn: '2023-01-10',
    });
    const updated = conformityBasis({ audit, establishedOn: '2023-01-10', updatedOn: '2025-06-01' });
    expect(updated.publishedOn).toBe('2025-06-01');
    expect(conformityLevel(updated, '2027-01-10')).toBe('partial');
    expect(conformityLevel(conformityBasis({ audit, establishedOn: '2023-01-10', updatedOn: null }), '2026-01-10')).toBe('none');
  });

  it('tells the admin 90 days before the statement lapses, and after', () => {
    expect(statementValidity('2026-03-15', '2028-12-14')).toEqual({ state: 'valid', dueOn: '2029-03-15' });
    expect(statementValidity('2026-03-15', '2028-12-15')).toEqual({ state: 'due-soon', dueOn: '2029-03-15' });
    expect(statementValidity('2026-03-15', '2029-03-14')).toEqual({ state: 'due-soon', dueOn: '2029-03-15' });
    expect(statementValidity('2026-03-15', '2029-03-15')).toEqual({ state: 'lapsed', dueOn: '2029-03-15' });
  });

  it('writes a rate the French way', () => {
    expect(formatRate(77.5)).toBe('77,5 %');
    expect(formatRate(100)).toBe('100 %');
  });
});
