import { CHANNEL_CAPABILITIES, START_CONVERSATION_KINDS, outboundFilesProblem } from '../channel-capabilities';
import { CHANNEL_IDENTITY, CHANNEL_KINDS } from '../enums';
import { startConversationSchema } from '../schemas';

describe('channel capabilities', () => {
  it('declares every capability of every channel kind, and nothing for unknown kinds', () => {
    expect(Object.keys(CHANNEL_CAPABILITIES).sort()).toEqual([...CHANNEL_KINDS].sort());
    const fields = Object.keys(CHANNEL_CAPABILITIES.email).sort();
    for (const kind of CHANNEL_KINDS) expect(Object.keys(CHANNEL_CAPABILITIES[kind]).sort()).toEqual(fields);
  });

  it('is coherent: nothing is sent, limited or windowed on a channel that cannot reply', () => {
    for (const kind of CHANNEL_KINDS) {
      const c = CHANNEL_CAPABILITIES[kind];
      if (!c.reply) {
        expect({ kind, attachmentsOut: c.attachmentsOut, startConversation: c.startConversation, comments: c.comments }).toEqual({
          kind,
          attachmentsOut: false,
          startConversation: false,
          comments: null,
        });
        expect({
          kind,
          maxLength: c.maxLength,
          replyWindowHours: c.replyWindowHours,
          smsSegments: c.smsSegments,
          deliveryReceipts: c.deliveryReceipts,
        }).toEqual({
          kind,
          maxLength: null,
          replyWindowHours: null,
          smsSegments: false,
          deliveryReceipts: false,
        });
      }
      // Writing first needs an address to write to.
      if (c.startConversation) expect({ kind, identity: CHANNEL_IDENTITY[kind] }).not.toEqual({ kind, identity: null });
      // SMS segments are counted against a maximum length.
      if (c.smsSegments) expect(c.maxLength).toBeGreaterThan(160);
      if (c.maxLength !== null) expect(Number.isInteger(c.maxLength) && c.maxLength > 0).toBe(true);
      if (c.replyWindowHours !== null) expect(c.replyWindowHours).toBeGreaterThan(0);
      if (c.comments) expect(c.comments.privateReplyWindowHours).toBeGreaterThan(0);
    }
  });

  it('keeps the reply windows the providers enforce: WhatsApp 24 h, Messenger and Instagram 7 days', () => {
    expect(CHANNEL_CAPABILITIES.whatsapp.replyWindowHours).toBe(24);
    expect(CHANNEL_CAPABILITIES.messenger.replyWindowHours).toBe(168);
    expect(CHANNEL_CAPABILITIES.instagram.comments).toEqual({ publicReply: true, privateReplyWindowHours: 168 });
    expect(CHANNEL_CAPABILITIES.sms.replyWindowHours).toBeNull();
  });

  it('lets an agent write first exactly on the kinds that declare it, with a French reason otherwise', () => {
    expect(START_CONVERSATION_KINDS).toEqual(['email', 'sms', 'whatsapp']);
    for (const kind of CHANNEL_KINDS) {
      const parsed = startConversationSchema.safeParse({ channelKind: kind, to: 'x@example.fr', body: 'Bonjour' });
      expect({ kind, ok: parsed.success }).toEqual({ kind, ok: CHANNEL_CAPABILITIES[kind].startConversation });
      if (!parsed.success) expect(parsed.error.issues[0]!.message).toMatch(/on ne peut pas écrire en premier/);
    }
  });
});

describe('files an agent sends with a reply', () => {
  const pdf = { fileName: 'acte.pdf', contentType: 'application/pdf', size: 1000 };
  it('follows each channel’s limits, with a French reason', () => {
    expect(outboundFilesProblem('email', [pdf, pdf, pdf])).toBeNull();
    expect(outboundFilesProblem('whatsapp', [pdf])).toBeNull();
    expect(outboundFilesProblem('whatsapp', [pdf, pdf])).toBe('WhatsApp n’accepte qu’un fichier par message');
    expect(outboundFilesProblem('sms', [pdf])).toMatch(/^Le SMS ne transmet pas de fichier/);
    expect(outboundFilesProblem('email', [{ ...pdf, size: 11 * 1024 * 1024 }])).toBe(
      '« acte.pdf » pèse 11 Mo : 10 Mo au plus par fichier sur l’e-mail',
    );
    expect(outboundFilesProblem('note', [{ fileName: 'x.svg', contentType: 'image/svg+xml', size: 10 }])).toMatch(
      /^« x\.svg » : type de fichier non accepté sur une note interne/,
    );
  });

  it('declares file limits exactly where replies can carry files', () => {
    for (const kind of CHANNEL_KINDS) {
      const c = CHANNEL_CAPABILITIES[kind];
      expect({ kind, limits: c.outboundFiles !== null }).toEqual({ kind, limits: c.attachmentsOut });
    }
  });
});
