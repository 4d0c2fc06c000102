/** @jest-environment ./test/jsdom-environment.cjs */
import type { AgentDto, AgentSignatureDto, ConversationDto, MessageDto } from '@guichet/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import '../src/i18n';
import { Composer, replyChannels } from '../src/features/conversation/composer';
import { draftKey, useDraft } from '../src/lib/drafts';

const me: AgentDto = {
  id: 'agent-sophie',
  name: 'Sophie Marchand',
  email: 's@m.fr',
  role: 'agent',
  teamIds: ['team-a'],
  capacity: 12,
};
const julien: AgentDto = {
  id: 'agent-julien',
  name: 'Julien Roche',
  email: 'j@r.fr',
  role: 'agent',
  teamIds: ['team-a'],
  capacity: 12,
};

const base: ConversationDto = {
  id: 'conv-1',
  reference: 'GU-ABC123',
  status: 'open',
  priority: 'normal',
  subject: 'Carte d’identité',
  teamId: 'team-a',
  assigneeId: null,
  contact: { id: 'contact-1', name: 'Élodie Lefèvre' },
  lastChannelKind: 'sms',
  snippet: null,
  unread: false,
  callbackNeeded: false,
  possiblyRelatedToId: null,
  snoozedUntil: null,
  createdAt: '2026-11-28T08:00:00.000Z',
  lastMessageAt: '2026-11-28T09:00:00.000Z',
  lastInboundAt: '2026-11-28T09:00:00.000Z',
  firstResponseAt: null,
  requestType: null,
  decisionRegime: null,
  decisionDueAt: null,
  decisionDueNonWorkingDay: null,
  responseDueAt: null,
  awaitingDocuments: false,
  satisfaction: null,
  labels: [],
  version: 4,
};

const messages: MessageDto[] = [
  {
    id: 'm-email',
    conversationId: 'conv-1',
    direction: 'inbound',
    kind: 'message',
    channelId: 'ch-email',
    channelKind: 'email',
    authorAgentId: null,
    body: 'Bonjour par e-mail',
    htmlBody: null,
    status: 'received',
    error: null,
    attachments: [],
    createdAt: '2026-11-28T08:00:00.000Z',
  },
  {
    id: 'm-sms',
    conversationId: 'conv-1',
    direction: 'inbound',
    kind: 'message',
    channelId: 'ch-sms',
    channelKind: 'sms',
    authorAgentId: null,
    body: 'Et par SMS',
    htmlBody: null,
    status: 'received',
    error: null,
    attachments: [],
    createdAt: '2026-11-28T09:00:00.000Z',
  },
];

function Harness({ conversation, thread = messages }: { conversation: ConversationDto; thread?: MessageDto[] }) {
  const [draft, update, clear] = useDraft(conversation.id);
  return (
    <Composer
      conversation={conversation}
      messages={thread}
      me={me}
      agents={[me, julien]}
      teams={[{ id: 'team-a', name: 'État civil', slug: 'etat-civil' }]}
      draft={draft}
      updateDraft={update}
      clearDraft={clear}
      socket={null}
      announce={() => undefined}
    />
  );
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('replyChannels', () => {
  const form: MessageDto = {
    ...messages[0]!,
    id: 'm-form',
    channelId: 'ch-form',
    channelKind: 'webform',
    body: 'Ma demande par le formulaire',
  };
  const notice: MessageDto = {
    ...form,
    id: 'm-notice',
    direction: 'outbound',
    channelId: 'ch-sms',
    channelKind: 'sms',
    status: 'sent',
    notice: { via: 'sms', to: '+33612345678', replyId: 'm-reply' },
  };

  it('offers a form request’s e-mail and phone channels after the form, which stays the default', () => {
    const reachable = [
      { id: 'ch-email', kind: 'email' as const, to: 'camille@exemple.fr' },
      { id: 'ch-sms', kind: 'sms' as const, to: '+33612345678' },
    ];
    const { options, defaultId } = replyChannels([form, notice], reachable);
    expect(options).toEqual([{ id: 'ch-form', kind: 'webform' }, ...reachable]);
    expect(defaultId).toBe('ch-form');
  });

  it('does not count a notice as a channel of the thread', () => {
    expect(replyChannels([form, notice]).options).toEqual([{ id: 'ch-form', kind: 'webform' }]);
  });
});

describe('composer', () => {
  let calls: { url: string; body: any }[];
  let answers: Response[];
  beforeEach(() => {
    localStorage.clear();
    calls = [];
    answers = [];
    globalThis.fetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, body: JSON.parse(String(init.body)) });
      const answer = answers.shift();
      if (!answer) throw new Error('unexpected request');
      return answer;
    }) as typeof fetch;
  });

  function renderComposer(conversation = base, thread = messages) {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
    return render(
      <QueryClientProvider client={client}>
        <Harness conversation={conversation} thread={thread} />
      </QueryClientProvider>,
    );
  }

  it('defaults to the channel of the citizen’s last message and counts SMS segments', () => {
    renderComposer();
    expect((screen.getByLabelText('Canal') as HTMLSelectElement).value).toBe('ch-sms');
    fireEvent.change(screen.getByTestId('composer-input'), { target: { value: 'a'.repeat(161) } });
    expect(screen.getByTestId('sms-segments').textContent).toContain('2 SMS (GSM-7), 145 caractères restants');
    fireEvent.change(screen.getByTestId('composer-input'), { target: { value: 'Bonjour 😊' } });
    expect(screen.getByTestId('sms-segments').textContent).toContain('1 SMS (UCS-2)');
    fireEvent.change(screen.getByLabelText('Canal'), { target: { value: 'ch-email' } });
    expect(screen.queryByTestId('sms-segments')).toBeNull();
  });

  it('offers a reply only on channels whose capabilities allow one, and counts characters against the channel’s maximum length', () => {
    const call: MessageDto = {
      ...messages[1]!,
      id: 'm-call',
      kind: 'call',
      channelId: 'ch-voice',
      channelKind: 'voice',
      createdAt: '2026-11-28T09:10:00.000Z',
    };
    const whatsapp: MessageDto = {
      ...messages[1]!,
      id: 'm-wa',
      channelId: 'ch-wa',
      channelKind: 'whatsapp',
      createdAt: '2026-11-28T09:20:00.000Z',
    };
    renderComposer(base, [...messages, call, whatsapp]);
    const select = screen.getByLabelText('Canal') as HTMLSelectElement;
    expect(Array.from(select.options).map((o) => o.value)).toEqual(['ch-email', 'ch-sms', 'ch-wa']);
    expect(select.value).toBe('ch-wa');
    fireEvent.change(screen.getByTestId('composer-input'), { target: { value: 'Bonjour, votre dossier est complet.' } });
    expect(screen.getByTestId('length-counter').textContent).toContain('35 / 4096 caractères');
    expect(screen.queryByTestId('sms-segments')).toBeNull();
    expect(screen.queryByTestId('too-long')).toBeNull();
    fireEvent.change(screen.getByTestId('composer-input'), { target: { value: 'a'.repeat(4100) } });
    expect(screen.getByTestId('too-long').textContent).toContain('4096 caractères au plus');
    fireEvent.change(select, { target: { value: 'ch-email' } });
    expect(screen.queryByTestId('length-counter')).toBeNull();
    expect(screen.queryByTestId('too-long')).toBeNull();
  });

  it('on 409 keeps the draft, says what changed, and sends again on request with the new version', async () => {
    renderComposer();
    const input = screen.getByTestId('composer-input') as HTMLTextAreaElement;
    fireEvent.change(input, { target: { value: 'Votre carte est prête.' } });
    const current = { ...base, version: 6, assigneeId: julien.id, lastMessageAt: '2026-11-28T10:00:00.000Z' };
    answers.push(json(409, { statusCode: 409, error: 'Conflict', message: 'la conversation a changé', current }));
    fireEvent.keyDown(input, { key: 'Enter', ctrlKey: true });

    const alert = await screen.findByTestId('composer-conflict');
    expect(calls[0]!.url).toBe('/api/v1/conversations/conv-1/messages');
    expect(calls[0]!.body).toEqual({ kind: 'reply', body: 'Votre carte est prête.', version: 4, channelId: 'ch-sms' });
    expect(alert.textContent).toContain('La conversation a changé pendant que vous écriviez');
    expect(alert.textContent).toContain('Elle a été assignée à Julien Roche.');
    expect(alert.textContent).toContain('De nouveaux échanges ont eu lieu.');
    expect(input.value).toBe('Votre carte est prête.');
    // Ctrl+Enter again does not slip past the review.
    fireEvent.keyDown(input, { key: 'Enter', ctrlKey: true });
    expect(calls).toHaveLength(1);
    await act(async () => {
      await new Promise((r) => setTimeout(r, 350));
    });
    expect(JSON.parse(localStorage.getItem(draftKey('conv-1'))!).body).toBe('Votre carte est prête.');

    answers.push(
      json(201, {
        ...messages[1],
        id: 'm-out',
        direction: 'outbound',
        authorAgentId: me.id,
        body: 'Votre carte est prête.',
        status: 'queued',
        createdAt: '2026-11-28T10:05:00.000Z',
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Envoyer quand même' }));
    await waitFor(() => expect(input.value).toBe(''));
    expect(calls[1]!.body.version).toBe(6);
    expect(screen.queryByTestId('composer-conflict')).toBeNull();
    expect(localStorage.getItem(draftKey('conv-1'))).toBeNull();
  });

  it('after “Continuer à modifier” the next send carries the version the agent has now seen', async () => {
    renderComposer();
    const input = screen.getByTestId('composer-input') as HTMLTextAreaElement;
    fireEvent.change(input, { target: { value: 'Première version' } });
    const current = { ...base, version: 9, status: 'pending' as const };
    answers.push(json(409, { statusCode: 409, error: 'Conflict', message: 'la conversation a changé', current }));
    fireEvent.keyDown(input, { key: 'Enter', ctrlKey: true });
    expect((await screen.findByTestId('composer-conflict')).textContent).toContain('Son statut est maintenant « En attente ».');
    fireEvent.click(screen.getByRole('button', { name: 'Continuer à modifier' }));
    fireEvent.change(input, { target: { value: 'Version corrigée' } });
    answers.push(
      json(201, {
        ...messages[1],
        id: 'm-out',
        direction: 'outbound',
        authorAgentId: me.id,
        body: 'Version corrigée',
        status: 'queued',
      }),
    );
    fireEvent.keyDown(input, { key: 'Enter', ctrlKey: true });
    await waitFor(() => expect(input.value).toBe(''));
    expect(calls[1]!.body).toMatchObject({ body: 'Version corrigée', version: 9 });
  });

  it('shows the API’s French reason on a 400 and keeps the draft', async () => {
    renderComposer();
    const input = screen.getByTestId('composer-input') as HTMLTextAreaElement;
    fireEvent.change(input, { target: { value: 'Bonjour' } });
    answers.push(json(400, { statusCode: 400, error: 'Bad Request', message: "l'usager s'est désinscrit des SMS" }));
    fireEvent.click(screen.getByRole('button', { name: 'Envoyer' }));
    expect((await screen.findByRole('alert')).textContent).toBe("l'usager s'est désinscrit des SMS");
    expect(input.value).toBe('Bonjour');
    // The reason is about that attempt: once the agent edits (or empties) the draft, it goes, and
    // the emptied box, left, folds back to one line.
    fireEvent.change(input, { target: { value: '' } });
    expect(screen.queryByRole('alert')).toBeNull();
    fireEvent.blur(input);
    // It folds a moment after focus leaves (so a click lands on what was aimed at).
    await waitFor(() => expect(input.rows).toBe(1));
  });

  it('restores a draft per conversation after a remount (navigation or reload)', async () => {
    const first = renderComposer();
    fireEvent.click(screen.getByRole('button', { name: 'Note interne' }));
    fireEvent.change(screen.getByTestId('composer-input'), { target: { value: 'À rappeler demain' } });
    first.unmount();
    renderComposer();
    expect((screen.getByTestId('composer-input') as HTMLTextAreaElement).value).toBe('À rappeler demain');
    expect(screen.getByRole('button', { name: 'Note interne' }).getAttribute('aria-pressed')).toBe('true');
    renderComposer({ ...base, id: 'conv-2' });
    expect((screen.getAllByTestId('composer-input')[1] as HTMLTextAreaElement).value).toBe('');
  });

  it('previews the signature and, on e-mail only, the organization’s legal footer that the server adds', async () => {
    const signature: AgentSignatureDto = {
      enabled: true,
      jobTitle: 'Agente d’accueil',
      signAsService: false,
      full: 'Sophie Marchand\nAgente d’accueil\nÉtat civil',
      short: 'Sophie Marchand - État civil',
      legalFooter: 'Vos données sont traitées par la mairie (RGPD).',
    };
    globalThis.fetch = (async (url: string) => {
      if (String(url).includes('/account/signature')) return json(200, signature);
      throw new Error(`unexpected request ${url}`);
    }) as typeof fetch;
    renderComposer();
    expect((await screen.findByTestId('composer-signature')).textContent).toContain('Sophie Marchand - État civil');
    expect(screen.queryByTestId('composer-legal-footer')).toBeNull();
    fireEvent.change(screen.getByLabelText('Canal'), { target: { value: 'ch-email' } });
    expect(screen.getByTestId('composer-signature').textContent).toContain('Agente d’accueil');
    expect(screen.getByTestId('composer-legal-footer').textContent).toBe(
      'Mentions légales ajoutées à la fin de l’e-mail :Vos données sont traitées par la mairie (RGPD).',
    );
  });
});
