/** @jest-environment ./test/jsdom-environment.cjs */
import type { CallRingingDto } from '@guichet/contracts';
import { fireEvent, render, screen } from '@testing-library/react';
import '../src/i18n';
import { CallPopups } from '../src/features/inbox/call-popup';
import { DEFAULT_ROUTE } from '../src/lib/router';

const call: CallRingingDto = {
  callId: 'call-1',
  channelId: 'ch-voice',
  channelKind: 'voice',
  from: '+33612345678',
  to: '+33100000000',
  conversationId: 'conv-call',
  contact: { id: 'contact-1', name: 'Élodie Lefèvre' },
  openConversations: [],
  at: '2026-11-28T10:00:00.000Z',
};

describe('incoming call pop-up', () => {
  it('names the recognised caller, links to the call and hides on demand', () => {
    const dismissed: string[] = [];
    render(<CallPopups calls={[call]} route={DEFAULT_ROUTE} onDismiss={(id) => dismissed.push(id)} />);
    expect(screen.getByRole('alert').textContent).toContain('Appel entrant : Élodie Lefèvre');
    expect(screen.getByRole('link', { name: "Ouvrir la conversation de l'appel" }).getAttribute('href')).toBe(
      '#/conversations/conv-call?view=mine&status=open',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Masquer' }));
    expect(dismissed).toEqual(['call-1']);
  });

  it('says when the number is unknown', () => {
    render(<CallPopups calls={[{ ...call, contact: null }]} route={DEFAULT_ROUTE} onDismiss={() => undefined} />);
    expect(screen.getByRole('alert').textContent).toContain('Appel entrant : +33612345678');
    expect(screen.getByText('Numéro inconnu')).toBeTruthy();
  });
});
