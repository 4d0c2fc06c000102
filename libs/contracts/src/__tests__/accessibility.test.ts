import { conformityLevel, formatRate } from '../accessibility';

describe('RGAA conformity level', () => {
  it('is total at 100 %, partial from 50 % up to below 100 %, none below 50 % or without an audit', () => {
    expect(conformityLevel(100)).toBe('total');
    expect(conformityLevel(99.9)).toBe('partial');
    expect(conformityLevel(50)).toBe('partial');
    expect(conformityLevel(49.9)).toBe('none');
    expect(conformityLevel(0)).toBe('none');
    expect(conformityLevel(null)).toBe('none');
  });

  it('writes a rate the French way', () => {
    expect(formatRate(77.5)).toBe('77,5 %');
    expect(formatRate(100)).toBe('100 %');
  });
});
