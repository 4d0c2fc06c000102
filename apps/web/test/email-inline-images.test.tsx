/** @jest-environment ./test/jsdom-environment.cjs */
import type { AttachmentDto, MessageDto } from '@guichet/contracts';
import { render, screen, waitFor } from '@testing-library/react';
import '../src/i18n';
import { emailSrcDoc } from '../src/features/conversation/email-frame';
import { MessageItem } from '../src/features/conversation/message-item';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);

const attachment = (id: string, fileName: string, contentType: string, extra: Partial<AttachmentDto> = {}): AttachmentDto => ({
  id,
  fileName,
  contentType,
  size: PNG.length,
  sha256: 'x'.repeat(64),
  ...extra,
});

describe('inline images of an e-mail', () => {
  it('puts the fetched image of each cid: reference in place in the sandboxed document, and nothing else', () => {
    const doc = emailSrcDoc(
      '<p>Le trou :</p><img src="cid:part1.nid@sfr.fr"><img src="cid:inconnu"><img data-remote-src="https://t.example/p.gif">',
      false,
      {
        'part1.nid@sfr.fr': 'data:image/png;base64,AAAA',
      },
    );
    expect(doc).toContain('<img src="data:image/png;base64,AAAA">');
    expect(doc).toContain('<img src="cid:inconnu">');
    expect(doc).not.toMatch(/\ssrc="https:/);
  });

  it('shows inline images in the frame from the attachment URL and lists only the real attachments', async () => {
    const requested: string[] = [];
    globalThis.fetch = (async (url: string, init: RequestInit) => {
      requested.push(`${url} ${init.credentials}`);
      return new Response(PNG, { status: 200, headers: { 'content-type': 'image/png' } });
    }) as typeof fetch;
    const message: MessageDto = {
      id: 'm1',
      conversationId: 'c1',
      direction: 'inbound',
      kind: 'message',
      channelId: 'ch',
      channelKind: 'email',
      authorAgentId: null,
      body: 'Voici le trou',
      htmlBody: '<p>Voici le trou :</p><img src="cid:part1.nid@sfr.fr" alt="photo"><img src="cid:logo-signature">',
      status: 'received',
      error: null,
      attachments: [
        attachment('a1', 'image.png', 'image/png', { contentId: 'part1.nid@sfr.fr', inline: true }),
        attachment('a2', 'logo.png', 'image/png', { contentId: 'logo-signature' }),
        attachment('a3', 'plan.pdf', 'application/pdf'),
      ],
      createdAt: new Date().toISOString(),
    };
    const { container } = render(<MessageItem message={message} citizen="Anne Roux" agentName={undefined} />);
    // The photo is shown in place only; the logo, also sent as an attachment, is listed too.
    // (each listed file has its download button, named by the file, and its « Aperçu » button)
    expect(screen.queryAllByRole('button', { name: /image\.png/ })).toEqual([]);
    expect(screen.getByRole('button', { name: 'logo.png' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'plan.pdf' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Aperçu logo.png' })).toBeTruthy();
    const frame = container.querySelector('iframe.email-frame__iframe')!;
    const dataUrl = `data:image/png;base64,${PNG.toString('base64')}`;
    await waitFor(() => expect(frame.getAttribute('srcdoc')).toContain(`<img src="${dataUrl}" alt="photo">`));
    expect(frame.getAttribute('srcdoc')).toContain(`<img src="${dataUrl}">`);
    expect(frame.getAttribute('sandbox')).toBe('');
    // (the listed logo is also fetched for its preview thumbnail)
    expect([...new Set(requested)].sort()).toEqual(['/api/v1/attachments/a1 same-origin', '/api/v1/attachments/a2 same-origin']);
  });

  it('marks a sender deduced from Reply-To as such', () => {
    const message: MessageDto = {
      id: 'm2',
      conversationId: 'c2',
      direction: 'inbound',
      kind: 'message',
      channelId: 'ch',
      channelKind: 'email',
      authorAgentId: null,
      body: 'Bonjour, je voudrais un rendez-vous.',
      htmlBody: null,
      status: 'received',
      error: null,
      attachments: [],
      senderDeduced: 'reply-to',
      createdAt: new Date().toISOString(),
    };
    render(<MessageItem message={message} citizen="Sophie Bernard" agentName={undefined} />);
    expect(screen.getByText('expéditeur déduit (Reply-To)')).toBeTruthy();
  });
});
