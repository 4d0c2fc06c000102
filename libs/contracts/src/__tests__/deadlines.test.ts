import fc from 'fast-check';
import {
  DEFAULT_OPENING_HOURS,
  DEFAULT_RESPONSE_TARGETS,
  civilDateAt,
  decisionDue,
  endOfCivilDay,
  formatFrenchLongDate,
  instantAt,
  legalDeadlineDate,
  openingMinutesBetween,
  responseDue,
  type DeadlineSpec,
} from '../deadlines';
import {
  addCalendarDays,
  isClosureDay,
  isOpenWorkingDay,
  isWorkingDay,
  nonWorkingDay,
  type Closure,
  type NonWorkingDay,
} from '../french-holidays';

const months = (amount: number): DeadlineSpec => ({ amount, unit: 'months' });
const at = (iso: string) => new Date(iso);

describe('the legal decision date (CRPA L231-1, L231-4, L114-5)', () => {
  it.each([
    // [received (instant), deadline, expected last day, why the town is closed that day]
    ['2026-11-30T12:00:00Z', months(2), '2027-01-30', 'weekend'], // a Saturday: kept, flagged
    ['2027-01-15T09:00:00Z', months(2), '2027-03-15', null],
    ['2027-01-31T09:00:00Z', months(1), '2027-02-28', 'weekend'], // no 31 February (and a Sunday)
    ['2028-01-31T09:00:00Z', months(1), '2028-02-29', null], // leap year
    ['2028-02-29T09:00:00Z', months(12), '2029-02-28', null],
    ['2026-12-31T09:00:00Z', months(2), '2027-02-28', 'weekend'], // a Sunday
    ['2026-05-14T09:00:00Z', months(2), '2026-07-14', 'public_holiday'], // Fête nationale
    ['2026-11-30T23:30:00Z', months(2), '2027-02-01', null], // 00:30 on 1 December in Paris
    ['2027-01-01T10:00:00Z', { amount: 15, unit: 'calendar_days' }, '2027-01-16', 'weekend'],
    ['2026-04-02T10:00:00Z', { amount: 2, unit: 'working_days' }, '2026-04-07', null], // Easter Monday
    ['2026-05-15T10:00:00Z', { amount: 10, unit: 'working_days' }, '2026-06-01', null], // Whit Monday
  ] as [string, DeadlineSpec, string, NonWorkingDay | null][])(
    'received %s, %o: %s',
    (received, deadline, date, nonWorkingDay) => {
      const due = decisionDue({ receivedAt: at(received), deadline });
      expect(due).toEqual({ date, at: endOfCivilDay(date), nonWorkingDay });
    },
  );

  it('moves a last day on a weekend or holiday to the next working day when asked (CPC 642)', () => {
    expect(legalDeadlineDate('2026-10-25', months(2), { prorogation: true })).toBe('2026-12-28'); // Noël, a Friday
    expect(legalDeadlineDate('2027-03-01', months(2), { prorogation: true })).toBe('2027-05-03'); // 1 May, a Saturday
    expect(legalDeadlineDate('2026-05-14', months(2), { prorogation: true })).toBe('2026-07-15');
    expect(legalDeadlineDate('2027-01-01', { amount: 15, unit: 'calendar_days' }, { prorogation: true })).toBe('2027-01-18');
    expect(legalDeadlineDate('2027-01-15', months(2), { prorogation: true })).toBe('2027-03-15');
  });

  it('ends at midnight of the last day in Paris, winter and summer', () => {
    expect(endOfCivilDay('2027-01-30').toISOString()).toBe('2027-01-30T22:59:59.999Z');
    expect(endOfCivilDay('2027-07-15').toISOString()).toBe('2027-07-15T21:59:59.999Z');
    expect(formatFrenchLongDate('2027-01-30')).toBe('30 janvier 2027');
    expect(formatFrenchLongDate('2027-03-01')).toBe('1er mars 2027');
    expect(formatFrenchLongDate('2027-08-15')).toBe('15 août 2027');
  });

  it('has no date for types without a deadline', () => {
    expect(decisionDue({ receivedAt: at('2027-01-15T09:00:00Z'), deadline: null })).toBeNull();
  });

  it('stops while documents are awaited, then runs the whole deadline again from their arrival (L114-5)', () => {
    const receivedAt = at('2027-01-04T09:00:00Z');
    const requestedAt = at('2027-01-10T09:00:00Z');
    expect(decisionDue({ receivedAt, deadline: months(2), documents: { requestedAt, receivedAt: null } })).toBeNull();
    const arrived = decisionDue({
      receivedAt,
      deadline: months(2),
      documents: { requestedAt, receivedAt: at('2027-02-20T15:00:00Z') },
    });
    expect(arrived?.date).toBe('2027-04-20');
    // Documents asked again after the last ones came: stopped again.
    expect(
      decisionDue({
        receivedAt,
        deadline: months(2),
        documents: { requestedAt: at('2027-02-25T09:00:00Z'), receivedAt: at('2027-02-20T15:00:00Z') },
      }),
    ).toBeNull();
  });

  it('rejects a deadline that is not a positive whole number', () => {
    expect(() => legalDeadlineDate('2027-01-01', { amount: 0, unit: 'months' })).toThrow(RangeError);
    expect(() => legalDeadlineDate('2027-01-01', { amount: 1.5, unit: 'calendar_days' })).toThrow(RangeError);
  });
});

describe('the service response target (Services Publics+ engagement 5), in opening hours', () => {
  const email = DEFAULT_RESPONSE_TARGETS.email;

  it.each([
    // Monday 10:00 in Paris: five opening days later, at closing time.
    ['2026-11-30T09:00:00Z', email, '2026-12-07T16:30:00.000Z'],
    // Friday 18 December: Christmas skipped.
    ['2026-12-18T09:00:00Z', email, '2026-12-28T16:30:00.000Z'],
    // A Saturday counts from the Monday.
    ['2026-11-28T09:00:00Z', email, '2026-12-04T16:30:00.000Z'],
    // Four opening hours from Monday 10:00: 2 h in the morning, 2 h after lunch.
    ['2026-11-30T09:00:00Z', { amount: 4, unit: 'opening_hours' }, '2026-11-30T14:30:00.000Z'],
    // After closing time: the hours start the next morning.
    ['2026-11-30T18:00:00Z', { amount: 1, unit: 'opening_hours' }, '2026-12-01T08:30:00.000Z'],
    // Friday 16:00 CET: 1 h 30 that day, then across the change to summer time (Sunday 28 March
    // 2027) and Easter Monday, 30 minutes on Tuesday from 8:30 CEST.
    ['2027-03-26T15:00:00Z', { amount: 2, unit: 'opening_hours' }, '2027-03-30T07:00:00.000Z'],
  ] as const)('received %s, %o: due %s', (received, target, due) => {
    expect(responseDue({ receivedAt: at(received), target })?.toISOString()).toBe(due);
  });

  it('follows the opening hours a service sets (Saturday mornings)', () => {
    const hours = { ...DEFAULT_OPENING_HOURS, 6: [['09:00', '12:00']] as [string, string][] };
    expect(
      responseDue({ receivedAt: at('2026-12-04T15:00:00Z'), target: { amount: 1, unit: 'opening_days' }, hours })?.toISOString(),
    ).toBe('2026-12-05T11:00:00.000Z');
  });

  it('does not count time spent waiting for the citizen, and has no date while waiting', () => {
    const receivedAt = at('2026-11-30T09:00:00Z');
    // Paused from Tuesday opening to Thursday opening: two full opening days.
    const pauses = [{ from: at('2026-12-01T07:30:00Z'), to: at('2026-12-03T07:30:00Z') }];
    expect(responseDue({ receivedAt, target: email, pauses })?.toISOString()).toBe('2026-12-09T16:30:00.000Z');
    expect(responseDue({ receivedAt, target: email, pauses: [{ from: at('2026-12-01T07:30:00Z'), to: null }] })).toBeNull();
  });

  it('never ends when the service never opens', () => {
    expect(() => responseDue({ receivedAt: at('2026-11-30T09:00:00Z'), target: email, hours: {} })).toThrow(RangeError);
  });
});

describe('properties', () => {
  const instant = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2060-12-31T00:00:00Z'), noInvalidDate: true });
  const spec = fc.oneof(
    fc.record({ amount: fc.integer({ min: 1, max: 24 }), unit: fc.constant('months' as const) }),
    fc.record({ amount: fc.integer({ min: 1, max: 90 }), unit: fc.constant('calendar_days' as const) }),
    fc.record({ amount: fc.integer({ min: 1, max: 60 }), unit: fc.constant('working_days' as const) }),
  );

  it('a wall-clock time read back gives its civil date (outside the spring-forward hour)', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 1439 }), (d, minutes) => {
        const day = d.toISOString().slice(0, 10);
        fc.pre(minutes < 120 || minutes >= 180);
        expect(civilDateAt(instantAt(day, minutes))).toBe(day);
      }),
    );
  });

  it('the decision date is after receipt, never earlier for a later receipt, and its deadline ends in Paris', () => {
    fc.assert(
      fc.property(instant, instant, spec, (a, b, deadline) => {
        const [x, y] = a <= b ? [a, b] : [b, a];
        const dx = decisionDue({ receivedAt: x, deadline })!;
        const dy = decisionDue({ receivedAt: y, deadline })!;
        expect(dx.date > civilDateAt(x)).toBe(true);
        expect(dx.date <= dy.date).toBe(true);
        expect(civilDateAt(dx.at)).toBe(dx.date);
        expect(civilDateAt(new Date(dx.at.getTime() + 1))).toBe(addCalendarDays(dx.date, 1));
      }),
    );
  });

  it('prorogation lands on the first working day on or after the plain date', () => {
    fc.assert(
      fc.property(instant, spec, (d, deadline) => {
        const start = civilDateAt(d);
        const plain = legalDeadlineDate(start, deadline);
        const moved = legalDeadlineDate(start, deadline, { prorogation: true });
        expect(isWorkingDay(moved)).toBe(true);
        for (let x = plain; x < moved; x = addCalendarDays(x, 1)) expect(isWorkingDay(x)).toBe(false);
      }),
    );
  });

  it('the documents restart equals a request received on the day they arrived', () => {
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 1, max: 60 * 24 * 90 }),
        fc.integer({ min: 1, max: 60 * 24 * 90 }),
        spec,
        (r, a, b, deadline) => {
          const requestedAt = new Date(r.getTime() + a * 60000);
          const arrived = new Date(requestedAt.getTime() + b * 60000);
          const restarted = decisionDue({ receivedAt: r, deadline, documents: { requestedAt, receivedAt: arrived } });
          expect(restarted).toEqual(decisionDue({ receivedAt: arrived, deadline }));
        },
      ),
    );
  });

  it('the response target falls in opening hours, later for later receipts, and pauses only push it back', () => {
    const target = fc.oneof(
      fc.record({ amount: fc.integer({ min: 1, max: 15 }), unit: fc.constant('opening_days' as const) }),
      fc.record({ amount: fc.integer({ min: 1, max: 60 }), unit: fc.constant('opening_hours' as const) }),
    );
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 0, max: 60 * 24 * 20 }),
        target,
        fc.integer({ min: 1, max: 60 * 24 * 5 }),
        (r, later, t, pause) => {
          const due = responseDue({ receivedAt: r, target: t })!;
          expect(due > r).toBe(true);
          const hm = due.toLocaleTimeString('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' });
          expect((hm >= '08:30' && hm <= '12:00') || (hm >= '13:30' && hm <= '17:30')).toBe(true);
          expect(isWorkingDay(civilDateAt(due))).toBe(true);
          const dueLater = responseDue({ receivedAt: new Date(r.getTime() + later * 60000), target: t })!;
          expect(dueLater >= due).toBe(true);
          const paused = responseDue({
            receivedAt: r,
            target: t,
            pauses: [{ from: new Date(r.getTime() + 60000), to: new Date(r.getTime() + (1 + pause) * 60000) }],
          })!;
          expect(paused >= due).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('opening time between two instants (reports in opening hours)', () => {
  // Default hours: Monday to Friday, 8:30–12:00 and 13:30–17:30 (Europe/Paris, UTC+2 in May 2026).
  const paris = (local: string) => new Date(`${local}+02:00`);
  it.each([
    // Thursday 30 April 18:00 (closed) → Monday 4 May 9:00: 1 May holiday, weekend, then 8:30–9:00.
    ['2026-04-30T18:00:00', '2026-05-04T09:00:00', 30],
    // The same evening message resolved at 11:00: 8:30–11:00.
    ['2026-04-30T18:00:00', '2026-05-04T11:00:00', 150],
    // Monday 10:00 → Tuesday 10:00: 120 + 240 + 90.
    ['2026-05-04T10:00:00', '2026-05-05T10:00:00', 450],
    // Friday 8 May (Victoire 1945) 9:00 → Monday 11 May 8:40.
    ['2026-05-08T09:00:00', '2026-05-11T08:40:00', 10],
    // During the lunch break on both ends: nothing.
    ['2026-05-04T12:10:00', '2026-05-04T13:20:00', 0],
    // A whole working week (Monday 8:00 → Saturday 8:00): 5 × 7 h 30; the weeks of 8 May and of Ascension (14 May) have 4 days.
    ['2026-05-18T08:00:00', '2026-05-23T08:00:00', 5 * 450],
    ['2026-05-04T08:00:00', '2026-05-09T08:00:00', 4 * 450],
    ['2026-05-11T08:00:00', '2026-05-16T08:00:00', 4 * 450],
    // Seconds are rounded up to the minute; backwards is 0.
    ['2026-05-04T09:00:00', '2026-05-04T09:00:01', 1],
    ['2026-05-04T10:00:00', '2026-05-04T09:00:00', 0],
  ])('%s → %s: %i minutes', (from, to, minutes) => {
    expect(openingMinutesBetween(paris(from), paris(to))).toBe(minutes);
  });

  it('follows the service’s own hours and Alsace-Moselle’s extra holidays', () => {
    const saturdays = { 6: [['09:00', '12:00']] as [string, string][] };
    expect(openingMinutesBetween(paris('2026-05-08T00:00:00'), paris('2026-05-10T00:00:00'), saturdays)).toBe(180);
    // Good Friday 2026 is 3 April: a working day in most of France, closed in Alsace-Moselle.
    const friday = [new Date('2026-04-03T06:00:00Z'), new Date('2026-04-03T16:00:00Z')] as const;
    expect(openingMinutesBetween(...friday, DEFAULT_OPENING_HOURS)).toBe(450);
    expect(openingMinutesBetween(...friday, DEFAULT_OPENING_HOURS, { alsaceMoselle: true })).toBe(0);
  });
});

describe('due dates in Alsace-Moselle (Good Friday and 26 December are public holidays there)', () => {
  const alsace = { holidays: { alsaceMoselle: true } };
  const workingDays = (amount: number): DeadlineSpec => ({ amount, unit: 'working_days' });
  // Maundy Thursday 2 April 2026, 10:00 in Paris; Good Friday 3 April; Easter Monday 6 April.
  const maundyThursday = at('2026-04-02T08:00:00Z');

  it.each([
    // [deadline, last day elsewhere, last day in Alsace-Moselle] — hand-counted, the day of receipt not counted
    [workingDays(1), '2026-04-03', '2026-04-07'], // the L112-11 accusé d'enregistrement: Friday / Tuesday
    [workingDays(2), '2026-04-07', '2026-04-08'],
    [workingDays(10), '2026-04-17', '2026-04-20'], // the ARE's ten working days: Fri 3, Tue 7 … Fri 17 / Tue 7 … Mon 20
    [months(2), '2026-06-02', '2026-06-02'], // months run on the calendar: no difference
  ] as [DeadlineSpec, string, string][])(
    'received on Maundy Thursday, %o: %s in Paris, %s in Strasbourg',
    (deadline, paris, strasbourg) => {
      expect(decisionDue({ receivedAt: maundyThursday, deadline })?.date).toBe(paris);
      expect(decisionDue({ receivedAt: maundyThursday, deadline }, alsace)?.date).toBe(strasbourg);
    },
  );

  it('skips Saint Stephen’s day (26 December) in working days, and flags a last day on it', () => {
    // Friday 22 December 2028: Monday 25 is Christmas everywhere, Tuesday 26 a holiday in Alsace-Moselle only.
    expect(legalDeadlineDate('2028-12-22', workingDays(2))).toBe('2028-12-27');
    expect(legalDeadlineDate('2028-12-22', workingDays(2), alsace)).toBe('2028-12-28');
    // Two months from Tuesday 26 October 2028: Tuesday 26 December, a working day outside Alsace-Moselle.
    expect(decisionDue({ receivedAt: at('2028-10-26T09:00:00Z'), deadline: months(2) })?.nonWorkingDay).toBeNull();
    expect(decisionDue({ receivedAt: at('2028-10-26T09:00:00Z'), deadline: months(2) }, alsace)?.nonWorkingDay).toBe(
      'public_holiday',
    );
    // Two months from 26 January 2027 end on Good Friday (26 March 2027): prorogation moves it past Easter Monday there.
    expect(legalDeadlineDate('2027-01-26', months(2), { prorogation: true })).toBe('2027-03-26');
    expect(legalDeadlineDate('2027-01-26', months(2), { ...alsace, prorogation: true })).toBe('2027-03-30');
  });

  it('counts the response target in opening days without Good Friday', () => {
    const email = DEFAULT_RESPONSE_TARGETS.email;
    const sms = DEFAULT_RESPONSE_TARGETS.sms;
    // E-mail, 5 opening days: Fri 3, Tue 7, Wed 8, Thu 9, Fri 10 / Tue 7 … Mon 13; closing at 17:30 CEST.
    expect(responseDue({ receivedAt: maundyThursday, target: email })?.toISOString()).toBe('2026-04-10T15:30:00.000Z');
    expect(responseDue({ receivedAt: maundyThursday, target: email }, alsace)?.toISOString()).toBe('2026-04-13T15:30:00.000Z');
    // SMS, 2 opening days: Fri 3, Tue 7 / Tue 7, Wed 8.
    expect(responseDue({ receivedAt: maundyThursday, target: sms })?.toISOString()).toBe('2026-04-07T15:30:00.000Z');
    expect(responseDue({ receivedAt: maundyThursday, target: sms }, alsace)?.toISOString()).toBe('2026-04-08T15:30:00.000Z');
    // Four opening hours from Thursday 16:00: 1 h 30 that day, then Friday 8:30 → 11:00, or Tuesday 8:30 → 11:00 there.
    const hours4 = { amount: 4, unit: 'opening_hours' } as const;
    const thursday4pm = at('2026-04-02T14:00:00Z');
    expect(responseDue({ receivedAt: thursday4pm, target: hours4 })?.toISOString()).toBe('2026-04-03T09:00:00.000Z');
    expect(responseDue({ receivedAt: thursday4pm, target: hours4 }, alsace)?.toISOString()).toBe('2026-04-07T09:00:00.000Z');
  });
});

describe('the organization’s closing days (closures set by its admin)', () => {
  // 2026: Ascension is Thursday 14 May (Easter 5 April + 39); the town hall closes on Friday 15 (a « pont »),
  // and from Monday 28 to Thursday 31 December. Default hours: Monday to Friday, 8:30–12:00 and 13:30–17:30.
  const pont: Closure = { from: '2026-05-15', to: '2026-05-15' };
  const christmasWeek: Closure = { from: '2026-12-28', to: '2026-12-31' };
  const closed = { holidays: { closures: [pont, christmasWeek] } };
  const email = DEFAULT_RESPONSE_TARGETS.email;
  const wednesday10am = at('2026-05-13T08:00:00Z'); // 10:00 CEST

  it('are open days no more, but still legal working days', () => {
    expect(isClosureDay('2026-05-15', closed.holidays)).toBe(true);
    expect(isClosureDay('2026-05-18', closed.holidays)).toBe(false);
    expect(isClosureDay('2026-12-31', closed.holidays)).toBe(true); // the last day of a range is included
    expect(isOpenWorkingDay('2026-05-15', closed.holidays)).toBe(false);
    expect(isOpenWorkingDay('2026-05-15')).toBe(true);
    expect(isWorkingDay('2026-05-15', closed.holidays)).toBe(true);
  });

  it('say why a day is closed: a public holiday first, then a weekend, then a closing day', () => {
    const saturdayClosed = { closures: [{ from: '2026-12-24', to: '2027-01-02' }] };
    expect(nonWorkingDay('2026-05-15', closed.holidays)).toBe('closure');
    expect(nonWorkingDay('2026-05-15')).toBeNull();
    expect(nonWorkingDay('2026-05-14', closed.holidays)).toBe('public_holiday'); // Ascension
    expect(nonWorkingDay('2026-12-26', saturdayClosed)).toBe('weekend'); // a Saturday inside a closure
    expect(nonWorkingDay('2026-12-25', saturdayClosed)).toBe('public_holiday'); // Noël inside a closure
    expect(nonWorkingDay('2027-01-01', saturdayClosed)).toBe('public_holiday');
    expect(nonWorkingDay('2026-12-28', saturdayClosed)).toBe('closure');
    for (const d of ['2026-05-13', '2026-05-14', '2026-05-15', '2026-05-16', '2026-12-30'])
      expect(nonWorkingDay(d, closed.holidays) === null).toBe(isOpenWorkingDay(d, closed.holidays));
  });

  it('push the response target back by the days closed (opening days)', () => {
    // 5 opening days after Wednesday 13 May: Fri 15, Mon 18, Tue 19, Wed 20, Thu 21 (Thursday 14 is Ascension) —
    // or without Friday 15: Mon 18 … Fri 22; at closing time, 17:30 CEST.
    expect(responseDue({ receivedAt: wednesday10am, target: email })?.toISOString()).toBe('2026-05-21T15:30:00.000Z');
    expect(responseDue({ receivedAt: wednesday10am, target: email }, closed)?.toISOString()).toBe('2026-05-22T15:30:00.000Z');
    // Received Wednesday 23 December 2026, 10:00 CET: Thu 24, Mon 28, Tue 29, Wed 30, Thu 31 (25 is Noël) —
    // or with the week closed: Thu 24, Mon 4, Tue 5, Wed 6, Thu 7 January 2027 (1 January is a holiday); 17:30 CET.
    const december = at('2026-12-23T09:00:00Z');
    expect(responseDue({ receivedAt: december, target: email })?.toISOString()).toBe('2026-12-31T16:30:00.000Z');
    expect(responseDue({ receivedAt: december, target: email }, closed)?.toISOString()).toBe('2027-01-07T16:30:00.000Z');
  });

  it('push the response target back by the days closed (opening hours)', () => {
    // 4 opening hours from Wednesday 13 May, 16:00: 1 h 30 that day, then 2 h 30 from 8:30 on Friday 15 → 11:00,
    // or on Monday 18 → 11:00 when the Friday is closed.
    const hours4 = { amount: 4, unit: 'opening_hours' } as const;
    const wednesday4pm = at('2026-05-13T14:00:00Z');
    expect(responseDue({ receivedAt: wednesday4pm, target: hours4 })?.toISOString()).toBe('2026-05-15T09:00:00.000Z');
    expect(responseDue({ receivedAt: wednesday4pm, target: hours4 }, closed)?.toISOString()).toBe('2026-05-18T09:00:00.000Z');
  });

  it('do not move the legal decision date (a court counts the CRPA deadline without them), but flag a last day on one', () => {
    const workingDays = (amount: number): DeadlineSpec => ({ amount, unit: 'working_days' });
    // 1 working day after Wednesday 13 May: Friday 15 (Ascension skipped), closed or not; flagged when closed.
    expect(decisionDue({ receivedAt: wednesday10am, deadline: workingDays(1) })).toMatchObject({
      date: '2026-05-15',
      nonWorkingDay: null,
    });
    expect(decisionDue({ receivedAt: wednesday10am, deadline: workingDays(1) }, closed)).toMatchObject({
      date: '2026-05-15',
      nonWorkingDay: 'closure',
    });
    // 2 working days: Fri 15, Mon 18 in both cases.
    expect(decisionDue({ receivedAt: wednesday10am, deadline: workingDays(2) }, closed)?.date).toBe('2026-05-18');
    // Two months from Sunday 15 March 2026: Friday 15 May, the closed day; the date stays, flagged.
    const march = at('2026-03-15T10:00:00Z');
    expect(decisionDue({ receivedAt: march, deadline: months(2) })).toMatchObject({ date: '2026-05-15', nonWorkingDay: null });
    expect(decisionDue({ receivedAt: march, deadline: months(2) }, closed)).toMatchObject({
      date: '2026-05-15',
      nonWorkingDay: 'closure',
    });
  });

  it('count no opening time in the reports (and the cached days do not leak between schedules)', () => {
    // Thursday 24 December 2026, 17:00 CET → Monday 4 January 2027, 9:00: 30 min on the 24th, 4 × 7 h 30 from the 28th
    // to the 31st (1,800 min), 30 min on the 4th = 1,860; with the week closed, 60.
    const from = at('2026-12-24T16:00:00Z');
    const to = at('2027-01-04T08:00:00Z');
    expect(openingMinutesBetween(from, to, DEFAULT_OPENING_HOURS, closed.holidays)).toBe(60);
    expect(openingMinutesBetween(from, to, DEFAULT_OPENING_HOURS)).toBe(1860);
    expect(openingMinutesBetween(from, to, DEFAULT_OPENING_HOURS, closed.holidays)).toBe(60);
  });

  it('properties: a closure never makes a response due earlier, nor moves a decision date', () => {
    const instant = fc.date({
      min: new Date('2020-01-01T00:00:00Z'),
      max: new Date('2040-12-31T00:00:00Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: -5, max: 30 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 30 }),
        (r, offset, length, amount) => {
          const from = addCalendarDays(civilDateAt(r), offset);
          const holidays = { closures: [{ from, to: addCalendarDays(from, length) }] };
          for (const unit of ['opening_days', 'opening_hours'] as const) {
            const plain = responseDue({ receivedAt: r, target: { amount, unit } })!;
            const withClosure = responseDue({ receivedAt: r, target: { amount, unit } }, { holidays })!;
            expect(withClosure >= plain).toBe(true);
            expect(isClosureDay(civilDateAt(withClosure), holidays)).toBe(false);
          }
          for (const unit of ['months', 'calendar_days', 'working_days'] as const) {
            const deadline = { amount, unit };
            expect(decisionDue({ receivedAt: r, deadline }, { holidays })?.date).toBe(
              decisionDue({ receivedAt: r, deadline })?.date,
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
