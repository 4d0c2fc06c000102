import fc from 'fast-check';
import {
  addCalendarDays,
  addMonths,
  addWorkingDays,
  civilDate,
  dayOfWeek,
  daysInMonth,
  easterSunday,
  frenchPublicHolidays,
  isFrenchPublicHoliday,
  isWorkingDay,
  nextWorkingDay,
} from '../french-holidays';

const civil = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('French public holidays', () => {
  it.each([
    [1818, '1818-03-22'],
    [1943, '1943-04-25'],
    [2000, '2000-04-23'],
    [2008, '2008-03-23'],
    [2011, '2011-04-24'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2038, '2038-04-25'],
    [2285, '2285-03-22'],
  ])('puts Easter %i on %s', (year, date) => {
    expect(easterSunday(year)).toBe(date);
  });

  it('lists the eleven national holidays of 2026, Easter Monday, Ascension and Whit Monday included', () => {
    expect(frenchPublicHolidays(2026)).toEqual([
      { date: '2026-01-01', name: 'Jour de l’an' },
      { date: '2026-04-06', name: 'Lundi de Pâques' },
      { date: '2026-05-01', name: 'Fête du travail' },
      { date: '2026-05-08', name: 'Victoire 1945' },
      { date: '2026-05-14', name: 'Ascension' },
      { date: '2026-05-25', name: 'Lundi de Pentecôte' },
      { date: '2026-07-14', name: 'Fête nationale' },
      { date: '2026-08-15', name: 'Assomption' },
      { date: '2026-11-01', name: 'Toussaint' },
      { date: '2026-11-11', name: 'Armistice 1918' },
      { date: '2026-12-25', name: 'Noël' },
    ]);
    expect(frenchPublicHolidays(2027).map((h) => h.date)).toEqual(
      expect.arrayContaining(['2027-03-29', '2027-05-06', '2027-05-17']),
    );
  });

  it('adds Good Friday and Saint Stephen in Alsace-Moselle only', () => {
    expect(isFrenchPublicHoliday('2026-04-03')).toBe(false);
    expect(isFrenchPublicHoliday('2026-04-03', { alsaceMoselle: true })).toBe(true);
    expect(isFrenchPublicHoliday('2026-12-26', { alsaceMoselle: true })).toBe(true);
    expect(frenchPublicHolidays(2026, { alsaceMoselle: true })).toHaveLength(13);
  });

  it('keeps two holidays falling on one day (Ascension on 1 May 2008)', () => {
    expect(
      frenchPublicHolidays(2008)
        .filter((h) => h.date === '2008-05-01')
        .map((h) => h.name),
    ).toEqual(['Fête du travail', 'Ascension']);
  });

  it('tells working days: not a weekend, not a holiday', () => {
    expect(isWorkingDay('2026-11-30')).toBe(true); // Monday
    expect(isWorkingDay('2026-11-28')).toBe(false); // Saturday
    expect(isWorkingDay('2026-11-29')).toBe(false); // Sunday
    expect(isWorkingDay('2026-11-11')).toBe(false); // Wednesday, Armistice
    expect(nextWorkingDay('2026-12-25')).toBe('2026-12-28');
    expect(nextWorkingDay('2026-11-30')).toBe('2026-11-30');
  });

  it.each([
    ['2026-04-02', 2, '2026-04-07'], // Friday, then Easter Monday skipped
    ['2026-05-13', 1, '2026-05-15'], // Ascension skipped
    ['2026-05-15', 10, '2026-06-01'], // Whit Monday skipped
    ['2026-12-24', 1, '2026-12-28'], // Christmas then a weekend
    ['2026-11-27', 0, '2026-11-27'],
  ])('counts %s + %i working days as %s', (from, n, to) => {
    expect(addWorkingDays(from, n)).toBe(to);
  });

  it.each([
    ['2027-01-15', 2, '2027-03-15'],
    ['2027-01-31', 1, '2027-02-28'],
    ['2028-01-31', 1, '2028-02-29'],
    ['2028-02-29', 12, '2029-02-28'],
    ['2028-02-29', 2, '2028-04-29'],
    ['2026-12-31', 2, '2027-02-28'],
    ['2027-12-30', 2, '2028-02-29'],
    ['2027-08-31', 1, '2027-09-30'],
    ['2027-03-31', 2, '2027-05-31'],
  ])('counts %s + %i months as %s', (from, n, to) => {
    expect(addMonths(from, n)).toBe(to);
  });

  it('rejects what is not a civil date', () => {
    expect(() => addMonths('2027-02-30', 1)).toThrow(RangeError);
    expect(() => addCalendarDays('30/01/2027', 1)).toThrow(RangeError);
  });

  describe('properties', () => {
    it('every year has eleven holidays; Easter is a Sunday from 22 March to 25 April', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1900, max: 2200 }), (year) => {
          const list = frenchPublicHolidays(year);
          // Eleven, on ten or eleven days: Ascension fell on 1 May in 2008 and on 8 May in 1902.
          expect(list).toHaveLength(11);
          expect(new Set(list.map((h) => h.date)).size).toBeGreaterThanOrEqual(10);
          const easter = easterSunday(year);
          expect(dayOfWeek(easter)).toBe(0);
          expect(easter >= civilDate(year, 3, 22) && easter <= civilDate(year, 4, 25)).toBe(true);
          const byName = Object.fromEntries(list.map((h) => [h.name, h.date]));
          expect(dayOfWeek(byName['Lundi de Pâques']!)).toBe(1);
          expect(dayOfWeek(byName['Ascension']!)).toBe(4);
          expect(dayOfWeek(byName['Lundi de Pentecôte']!)).toBe(1);
        }),
      );
    });

    it('months keep the day number, else land on the last day of the month', () => {
      fc.assert(
        fc.property(civil, fc.integer({ min: 1, max: 36 }), (from, n) => {
          const to = addMonths(from, n);
          const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
          const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
          expect(ty * 12 + tm - (fy * 12 + fm)).toBe(n);
          expect(td === fd || (td < fd && td === daysInMonth(ty, tm))).toBe(true);
        }),
      );
    });

    it('months are monotonic: a later start never ends earlier', () => {
      fc.assert(
        fc.property(civil, civil, fc.integer({ min: 1, max: 24 }), (a, b, n) => {
          const [x, y] = a <= b ? [a, b] : [b, a];
          expect(addMonths(x, n) <= addMonths(y, n)).toBe(true);
        }),
      );
    });

    it('n working days later is a working day, with exactly n working days after the start', () => {
      fc.assert(
        fc.property(civil, fc.integer({ min: 1, max: 40 }), (from, n) => {
          const to = addWorkingDays(from, n);
          expect(isWorkingDay(to)).toBe(true);
          let count = 0;
          for (let d = addCalendarDays(from, 1); d <= to; d = addCalendarDays(d, 1)) if (isWorkingDay(d)) count++;
          expect(count).toBe(n);
        }),
      );
    });
  });
});
