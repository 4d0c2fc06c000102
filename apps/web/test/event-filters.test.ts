import { filterEvents, NO_EVENT_FILTERS } from '../src/features/events/event-filters';

const ev = (id: string, teamId: string, startsAt: string, status: 'scheduled' | 'cancelled', published: boolean) => ({
  id,
  teamId,
  startsAt,
  status,
  published,
});

describe('events list filters', () => {
  const events = [
    ev('forum', 'culture', '2027-09-05T08:00:00.000Z', 'scheduled', true),
    ev('tournoi', 'sport', '2027-09-12T13:00:00.000Z', 'scheduled', false),
    ev('banquet', 'social', '2027-10-01T10:00:00.000Z', 'cancelled', true),
    ev('atelier', 'culture', '2027-10-20T14:00:00.000Z', 'scheduled', true),
  ];
  const ids = (f: Partial<typeof NO_EVENT_FILTERS>) => filterEvents(events, { ...NO_EVENT_FILTERS, ...f }).map((e) => e.id);

  it('keeps every event when no filter is set, in their order', () => {
    expect(ids({})).toEqual(['forum', 'tournoi', 'banquet', 'atelier']);
  });

  it('filters by service, by the day from which, and by state (a cancelled event is cancelled even if published)', () => {
    expect(ids({ teamId: 'culture' })).toEqual(['forum', 'atelier']);
    expect(ids({ from: '2027-09-20' })).toEqual(['banquet', 'atelier']);
    expect(ids({ state: 'draft' })).toEqual(['tournoi']);
    expect(ids({ state: 'published' })).toEqual(['forum', 'atelier']);
    expect(ids({ state: 'cancelled' })).toEqual(['banquet']);
    expect(ids({ teamId: 'culture', from: '2027-10-01', state: 'published' })).toEqual(['atelier']);
  });
});
