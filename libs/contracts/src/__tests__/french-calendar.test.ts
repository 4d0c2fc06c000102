import {
  addDays,
  easterSunday,
  frenchPublicHoliday,
  frenchPublicHolidays,
  isFrenchWorkingDay,
  weekday,
} from '../french-calendar';

describe('French public holidays', () => {
  it('finds Easter Sunday on the dates of the published tables', () => {
    // Dates from the Bureau des longitudes' tables (including the earliest and latest possible).
    const known: Record<number, [number, number]> = {
      1818: [3, 22],
      1943: [4, 25],
      2000: [4, 23],
      2024: [3, 31],
      2025: [4, 20],
      2026: [4, 5],
      2027: [3, 28],
      2038: [4, 25],
      2285: [3, 22],
    };
    for (const [year, date] of Object.entries(known)) expect(easterSunday(Number(year))).toEqual(date);
  });

  it('lists the eleven holidays of 2026 with the Easter-based ones in place', () => {
    expect(frenchPublicHolidays(2026)).toEqual([
      { date: '2026-01-01', name: 'Jour de l’an' },
      { date: '2026-04-06', name: 'Lundi de Pâques' },
      { date: '2026-05-01', name: 'Fête du Travail' },
      { date: '2026-05-08', name: 'Victoire 1945' },
      { date: '2026-05-14', name: 'Ascension' },
      { date: '2026-05-25', name: 'Lundi de Pentecôte' },
      { date: '2026-07-14', name: 'Fête nationale' },
      { date: '2026-08-15', name: 'Assomption' },
      { date: '2026-11-01', name: 'Toussaint' },
      { date: '2026-11-11', name: 'Armistice 1918' },
      { date: '2026-12-25', name: 'Noël' },
    ]);
  });

  it('puts Ascension on a Thursday and Easter and Whit Mondays on Mondays, every year', () => {
    for (let year = 1900; year <= 2200; year++) {
      const byName = new Map(frenchPublicHolidays(year).map((h) => [h.name, h.date]));
      expect(weekday(byName.get('Lundi de Pâques')!)).toBe(1);
      expect(weekday(byName.get('Ascension')!)).toBe(4);
      expect(weekday(byName.get('Lundi de Pentecôte')!)).toBe(1);
    }
  });

  it('adds Good Friday and 26 December in Alsace-Moselle only', () => {
    expect(frenchPublicHoliday('2025-04-18')).toBeUndefined();
    expect(frenchPublicHoliday('2025-04-18', { alsaceMoselle: true })?.name).toBe('Vendredi saint');
    expect(frenchPublicHolidays(2025, { alsaceMoselle: true })).toHaveLength(13);
  });

  it('counts working days: weekends and holidays are not', () => {
    expect(isFrenchWorkingDay('2026-05-14')).toBe(false); // Ascension, a Thursday
    expect(isFrenchWorkingDay('2026-05-15')).toBe(true);
    expect(isFrenchWorkingDay('2026-05-16')).toBe(false); // Saturday
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
  });
});
