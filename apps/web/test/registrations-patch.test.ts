import type { MunicipalEventDto, RegistrationDto } from '@guichet/contracts';
import { withPlaces, withRegistration } from '../src/realtime/registrations-patch';

const reg = (id: string, status: RegistrationDto['status'], position: number | null = null): RegistrationDto => ({
  id,
  eventId: 'concert',
  name: id,
  email: `${id}@example.fr`,
  phone: null,
  places: 1,
  answers: {},
  consentReminders: true,
  status,
  position,
  offerExpiresAt: null,
  checkedInAt: null,
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

  it('keeps the rows that did not change (same objects)', () => {
    const next = withRegistration(list, reg('david', 'confirmed'));
    expect(next[0]).toBe(list[0]);
    expect(next[2]).toBe(list[2]);
  });

  it('sets the places of the event told, and only of it', () => {
    const e = { id: 'concert', capacity: 2, bookedPlaces: 1, availablePlaces: 1, waitlistedPlaces: 0 } as MunicipalEventDto;
    const places = { eventId: 'concert', capacity: 2, bookedPlaces: 2, availablePlaces: 0, waitlistedPlaces: 1 };
    expect(withPlaces(e, places)).toMatchObject({ bookedPlaces: 2, availablePlaces: 0, waitlistedPlaces: 1 });
    expect(withPlaces({ ...e, id: 'other' }, places)).toMatchObject({ id: 'other', bookedPlaces: 1 });
  });
});
