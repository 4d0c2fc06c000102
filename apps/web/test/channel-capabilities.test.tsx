/** @jest-environment ./test/jsdom-environment.cjs */
import type { AgentDto, MessageDto } from '@guichet/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen } from '@testing-library/react';
import { queryKeys } from '../src/api/query-keys';
import '../src/i18n';
import { MessageItem } from '../src/features/conversation/message-item';
import { NewConversationPage } from '../src/features/conversation/new-conversation-page';

const me: AgentDto = {
  id: 'agent-sophie',
  name: 'Sophie Marchand',
  email: 's@m.fr',
  role: 'agent',
  teamIds: ['team-a'],
  capacity: 12,
};

function withQueries(node: React.ReactNode, connected?: string[]) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  if (connected) client.setQueryData(queryKeys.channelKinds(), connected);
  return render(<QueryClientProvider client={client}>{node}</QueryClientProvider>);
}

const message: MessageDto = {
  id: 'm-1',
  conversationId: 'conv-1',
  direction: 'inbound',
  kind: 'message',
  channelId: 'ch-1',
  channelKind: 'sms',
  authorAgentId: null,
  body: 'Bonjour',
  htmlBody: null,
  status: 'received',
  error: null,
  attachments: [],
  createdAt: '2026-11-28T09:00:00.000Z',
};

describe('the web follows the channel capabilities', () => {
  it('offers a new conversation on the kinds that can start one, asks a subject only where messages have one, and counts SMS segments only on SMS', () => {
    withQueries(<NewConversationPage me={me} teams={[{ id: 'team-a', name: 'État civil', slug: 'etat-civil' }]} />, [
      'email',
      'sms',
      'whatsapp',
    ]);
    const kinds = screen.getAllByRole('radio') as HTMLInputElement[];
    expect(kinds.map((k) => k.value)).toEqual(['email', 'sms', 'whatsapp']);
    expect(screen.getByLabelText('Objet')).toBeTruthy();
    expect((screen.getByLabelText("Adresse e-mail de l'usager") as HTMLInputElement).type).toBe('email');
    const body = screen.getByLabelText('Message');
    fireEvent.change(body, { target: { value: 'a'.repeat(161) } });
    expect(screen.queryByTestId('sms-segments')).toBeNull();

    fireEvent.click(kinds[1]!);
    expect(screen.queryByLabelText('Objet')).toBeNull();
    expect((screen.getByLabelText("Numéro de téléphone de l'usager") as HTMLInputElement).type).toBe('tel');
    expect(screen.getByTestId('sms-segments').textContent).toContain('2 SMS (GSM-7)');

    // WhatsApp is not billed in SMS segments: its hint is its own maximum length.
    fireEvent.click(kinds[2]!);
    expect(screen.queryByTestId('sms-segments')).toBeNull();
    expect(screen.getByTestId('length-counter').textContent).toContain('161 / 4096 caractères');
  });

  it('offers no channel until the server has said which are connected', () => {
    // No answer yet to GET /channel-kinds (the query has no data): nothing that might not send is offered.
    withQueries(<NewConversationPage me={me} teams={[{ id: 'team-a', name: 'État civil', slug: 'etat-civil' }]} />);
    expect(screen.queryAllByRole('radio')).toHaveLength(0);
    expect(screen.queryByRole('group', { name: 'Canal' })).toBeNull();
    expect(screen.getByRole('status').textContent).toBe('Chargement…');
  });

  it('shows chat channels as bubbles and HTML e-mails in their frame style, from the capabilities', () => {
    const { container, rerender } = render(<MessageItem message={message} citizen="Élodie" agentName={undefined} />);
    const article = () => container.querySelector('article')!;
    expect(article().classList.contains('message--bubble')).toBe(true);
    rerender(<MessageItem message={{ ...message, channelKind: 'messenger' }} citizen="Élodie" agentName={undefined} />);
    expect(article().classList.contains('message--bubble')).toBe(true);
    rerender(<MessageItem message={{ ...message, channelKind: 'webform' }} citizen="Élodie" agentName={undefined} />);
    expect(article().classList.contains('message--bubble')).toBe(false);
    rerender(
      <MessageItem
        message={{ ...message, channelKind: 'email', htmlBody: '<p>Bonjour</p>' }}
        citizen="Élodie"
        agentName={undefined}
      />,
    );
    expect(article().classList.contains('message--email')).toBe(true);
    expect(article().classList.contains('message--bubble')).toBe(false);
  });

  it('says where a reply is: queued, being sent, interrupted (with the retry button), sent, failed', () => {
    const reply: MessageDto = { ...message, direction: 'outbound', authorAgentId: 'agent-sophie', status: 'queued' };
    const { rerender } = withQueries(<MessageItem message={reply} citizen="Élodie" agentName="Sophie" />);
    const status = () => screen.getByTestId('delivery-status');
    const shown = (m: MessageDto) =>
      rerender(
        <QueryClientProvider client={new QueryClient()}>
          <MessageItem message={m} citizen="Élodie" agentName="Sophie" />
        </QueryClientProvider>,
      );
    expect(status().textContent).toBe("En file d'envoi");
    shown({ ...reply, status: 'sending' });
    expect(status().textContent).toBe('Envoi en cours');
    expect(screen.queryByRole('button', { name: 'Renvoyer' })).toBeNull();
    const reason = "impossible de savoir s'il est parti : vérifiez la conversation avant de le renvoyer";
    shown({ ...reply, status: 'sending', error: reason });
    expect(status().textContent).toBe(`Envoi interrompu : ${reason}Renvoyer`);
    expect(status().classList.contains('message__status--interrupted')).toBe(true);
    expect(screen.getByRole('button', { name: 'Renvoyer' })).toBeTruthy();
    shown({ ...reply, status: 'sent' });
    expect(status().textContent).toBe('Envoyé');
    shown({ ...reply, status: 'failed', error: 'numéro invalide' });
    expect(status().textContent).toBe("Échec de l'envoi : numéro invalideRenvoyer");
  });
});
