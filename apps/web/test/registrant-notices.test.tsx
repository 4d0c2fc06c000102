/** @jest-environment ./test/jsdom-environment.cjs */
import type { ContactRegistrationDto, MessageDto } from '@guichet/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import '../src/i18n';
import { queryKeys } from '../src/api/query-keys';
import { EventRegistrations } from '../src/features/conversation/event-registrations';
import { MessageItem } from '../src/features/conversation/message-item';

const withClient = (client: QueryClient, children: ReactNode) => (
  <QueryClientProvider client={client}>{children}</QueryClientProvider>
);
const client = () => new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });

const failed = (over: Partial<MessageDto>): MessageDto => ({
  id: 'm-1',
  conversationId: 'conv-1',
  direction: 'outbound',
  kind: 'message',
  channelId: 'ch-sms',
  channelKind: 'sms',
  authorAgentId: null,
  body: 'Rappel : « Balade contée » a lieu le samedi 13 juin à 14:00, Parc municipal.',
  htmlBody: null,
  status: 'failed',
  error: 'le numéro est invalide',
  attachments: [],
  createdAt: '2026-06-11T12:00:00.000Z',
  ...over,
});

/** Issue 17: what agents see of a registrant's notice that a cancellation withheld, and of a cancelled session. */
describe('registrants in the agent app', () => {
  it('a notice withheld because the registration was cancelled says « Non envoyé » and offers no « Renvoyer »; a failed reply still does', () => {
    const skipped = failed({ error: 'non envoyé : l’inscription a été annulée avant l’envoi', skipped: true });
    const { unmount } = render(withClient(client(), <MessageItem message={skipped} citizen="Ana Roux" agentName={undefined} />));
    expect(screen.getByTestId('delivery-status').textContent).toBe('Non envoyé : l’inscription a été annulée avant l’envoi');
    expect(screen.queryByRole('button', { name: 'Renvoyer' })).toBeNull();
    unmount();

    render(withClient(client(), <MessageItem message={failed({})} citizen="Ana Roux" agentName={undefined} />));
    expect(screen.getByTestId('delivery-status').textContent).toContain("Échec de l'envoi : le numéro est invalide");
    expect(screen.getByRole('button', { name: 'Renvoyer' })).toBeTruthy();
  });

  it('the citizen file says « séance annulée » for a registration whose session was cancelled, « événement annulé » for a cancelled event', () => {
    const registration = (id: string, event: Partial<ContactRegistrationDto['event']>): ContactRegistrationDto => ({
      id,
      eventId: `ev-${id}`,
      sessionId: `s-${id}`,
      name: 'Bruno Lenoir',
      email: 'bruno@example.fr',
      phone: null,
      places: 1,
      answers: {},
      consentReminders: true,
      status: 'cancelled',
      cancelledBy: 'event',
      position: null,
      offerExpiresAt: null,
      checkedInAt: null,
      emailOptedOut: false,
      phoneOptedOut: false,
      channel: null,
      contactId: 'contact-1',
      conversationId: 'conv-1',
      createdAt: '2026-06-01T10:00:00.000Z',
      event: {
        id: `ev-${id}`,
        title: `Atelier ${id}`,
        startsAt: '2026-06-13T12:00:00.000Z',
        teamId: 'team-a',
        teamName: 'Scolarité',
        cancelled: true,
        sessionCancelled: false,
        ...event,
      },
    });
    const c = client();
    c.setQueryData(queryKeys.contactRegistrations('contact-1'), [
      registration('a', { sessionCancelled: true }),
      registration('b', {}),
    ]);
    render(withClient(c, <EventRegistrations contactId="contact-1" />));
    const [session, event] = screen.getAllByRole('link').map((a) => a.textContent ?? '');
    expect(session).toContain('Atelier a');
    expect(session).toContain('séance annulée');
    expect(session).not.toContain('événement annulé');
    expect(event).toContain('Atelier b');
    expect(event).toContain('événement annulé');
  });
});
