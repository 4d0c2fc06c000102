import type { MunicipalEventDto, RegistrationDto } from '@guichet/contracts';
import { withEvent, withPlaces, withRegistration } from '../src/realtime/registrations-patch';

const reg = (
  id: string,
  status: RegistrationDto['status'],
  position: number | null = null,
  sessionId = 'samedi',
): RegistrationDto => ({
  id,
  eventId: 'concert',
  sessionId,
  name: id,
  email: `${id}@example.fr`,
  phone: null,
  places: 1,
  answers: {},
  consentReminders: true,
  status,
  cancelledBy: null,
  position,
  offerExpiresAt: null,
  checkedInAt: null,
  emailOptedOut: false,
  phoneOptedOut: false,
  channel: null,
  contactId: null,
  conversationId: null,
  createdAt: '2026-12-01T10:00:00.000Z',
});

describe('registrations patched from socket events', () => {
  const list = [reg('aline', 'confirmed'), reg('bastien', 'waitlisted', 1), reg('chloe', 'waitlisted', 2)];
  const summary = (l: RegistrationDto[]) => l.map((r) => `${r.id}:${r.status}:${r.position ?? '-'}`);

  it('appends a new registration, numbering its place on the waiting list', () => {
    expect(summary(withRegistration(list, reg('david', 'waitlisted')))).toEqual([
      'aline:confirmed:-',
      'bastien:waitlisted:1',
      'chloe:waitlisted:2',
      'david:waitlisted:3',
    ]);
  });

  it('moves those behind up when one leaves the waiting list (promoted or cancelled)', () => {
    expect(summary(withRegistration(list, reg('bastien', 'offered')))).toEqual([
      'aline:confirmed:-',
      'bastien:offered:-',
      'chloe:waitlisted:1',
    ]);
    expect(summary(withRegistration(list, reg('aline', 'cancelled')))).toEqual([
      'aline:cancelled:-',
      'bastien:waitlisted:1',
      'chloe:waitlisted:2',
    ]);
  });

  it('numbers each session’s waiting list on its own', () => {
    const two = [...list, reg('diane', 'waitlisted', 1, 'dimanche')];
    expect(summary(withRegistration(two, reg('emile', 'waitlisted', null, 'dimanche')))).toEqual([
      'aline:confirmed:-',
      'bastien:waitlisted:1',
      'chloe:waitlisted:2',
      'diane:waitlisted:1',
      'emile:waitlisted:2',
    ]);
    expect(summary(withRegistration(two, reg('bastien', 'cancelled')))).toEqual([
      'aline:confirmed:-',
      'bastien:cancelled:-',
      'chloe:waitlisted:1',
      'diane:waitlisted:1',
    ]);
  });

  it('keeps the rows that did not change (same objects)', () => {
    const next = withRegistration(list, reg('david', 'confirmed'));
    expect(next[0]).toBe(list[0]);
    expect(next[2]).toBe(list[2]);
  });

  it('sets the places of the event told, and only of it', () => {
    const e = { id: 'concert', capacity: 2, bookedPlaces: 1, availablePlaces: 1, waitlistedPlaces: 0 } as MunicipalEventDto;
    const session = { id: 'samedi', capacity: 2, bookedPlaces: 2, availablePlaces: 0, waitlistedPlaces: 1 };
    const places = { eventId: 'concert', capacity: 2, bookedPlaces: 2, availablePlaces: 0, waitlistedPlaces: 1, session };
    expect(withPlaces(e, places)).toMatchObject({ bookedPlaces: 2, availablePlaces: 0, waitlistedPlaces: 1 });
    const withSessions = {
      ...e,
      sessions: [{ ...session, bookedPlaces: 1, availablePlaces: 1, waitlistedPlaces: 0 }],
    } as MunicipalEventDto;
    expect(withPlaces(withSessions, places).sessions[0]).toMatchObject({ bookedPlaces: 2, availablePlaces: 0 });
    expect(withPlaces({ ...e, id: 'other' }, places)).toMatchObject({ id: 'other', bookedPlaces: 1 });
  });
});

describe('events patched from socket events', () => {
  const now = Date.parse('2026-12-01T12:00:00.000Z');
  const ev = (id: string, startsAt: string, more: Partial<MunicipalEventDto> = {}) =>
    ({ id, startsAt, endsAt: null, status: 'scheduled', title: id, ...more }) as MunicipalEventDto;
  const list = [ev('a', '2026-12-05T10:00:00.000Z'), ev('c', '2026-12-09T10:00:00.000Z')];
  const order = (l: MunicipalEventDto[]) => l.map((e) => `${e.id}:${e.status}`);

  it('puts a new event in the server’s order (start, then id)', () => {
    expect(order(withEvent(list, ev('b', '2026-12-07T10:00:00.000Z'), false, now))).toEqual([
      'a:scheduled',
      'b:scheduled',
      'c:scheduled',
    ]);
    expect(order(withEvent(list, ev('0', '2026-12-05T10:00:00.000Z'), false, now))[0]).toBe('0:scheduled');
    expect(order(withEvent(list, ev('d', '2027-01-01T10:00:00.000Z'), false, now))).toEqual([
      'a:scheduled',
      'c:scheduled',
      'd:scheduled',
    ]);
  });

  it('replaces a changed or cancelled event in place, and moves one whose date changed', () => {
    expect(order(withEvent(list, ev('a', '2026-12-05T10:00:00.000Z', { status: 'cancelled' }), false, now))).toEqual([
      'a:cancelled',
      'c:scheduled',
    ]);
    expect(withEvent(list, ev('a', '2026-12-10T10:00:00.000Z'), false, now).map((e) => e.id)).toEqual(['c', 'a']);
  });

  it('takes an event moved into the past out of the upcoming list only', () => {
    const moved = ev('c', '2026-11-20T10:00:00.000Z');
    expect(withEvent(list, moved, false, now).map((e) => e.id)).toEqual(['a']);
    expect(withEvent(list, moved, true, now).map((e) => e.id)).toEqual(['c', 'a']);
    // Ended less than a day ago: still upcoming, as the server lists it.
    expect(withEvent(list, ev('c', '2026-11-30T10:00:00.000Z', { endsAt: '2026-11-30T13:00:00.000Z' }), false, now)).toHaveLength(
      2,
    );
  });
});
