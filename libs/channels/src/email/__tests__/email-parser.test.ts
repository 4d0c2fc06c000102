import { sanitizeEmailHtml } from '../../sanitize';
import { backoffDelay, nextBatch, senderOf } from '../imap-sync.util';
import { generatedMessageId, parseEmail, plusTokens } from '../email-parser';
import { buildReplyEmail, classifySmtpError, outboundMessageId, replyAddress, replySubject } from '../email.adapter';

const CH = { channelId: 'chan-1', channelAddress: 'etat-civil@ville-demo.fr' };
const eml = (lines: string[]) => lines.join('\r\n');

describe('email parsing', () => {
  it('decodes RFC 2047 subjects, quoted-printable bodies and RFC 2231 file names', async () => {
    const raw = eml([
      'From: =?UTF-8?Q?Ren=C3=A9e_L=C3=A9ger?= <renee.leger@exemple.fr>',
      'To: etat-civil@ville-demo.fr',
      'Subject: =?UTF-8?B?RGVtYW5kZSBkJ2FjdGUgZGUgbmFpc3NhbmNlIMOgIETDtmxl?=',
      'Message-ID: <abc-1@exemple.fr>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Bonjour, je souhaite un acte de naissance pour ma fille =C3=89lo=C3=AFse.',
      '--b1',
      'Content-Type: application/pdf',
      "Content-Disposition: attachment; filename*=UTF-8''pi%C3%A8ce%20d%27identit%C3%A9.pdf",
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 faux').toString('base64'),
      '--b1--',
      '',
    ]);
    const { inbound, replyTokens, deliveryReport } = await parseEmail(raw, CH);
    expect(inbound.subject).toBe("Demande d'acte de naissance à Döle");
    expect(inbound.from).toEqual({ kind: 'email', value: 'renee.leger@exemple.fr', name: 'Renée Léger' });
    expect(inbound.text).toContain('Éloïse');
    expect(inbound.externalId).toBe('<abc-1@exemple.fr>');
    expect(inbound.attachments).toHaveLength(1);
    expect(inbound.attachments![0]!.fileName).toBe("pièce d'identité.pdf");
    expect(Buffer.from(inbound.attachments![0]!.content).toString()).toBe('%PDF-1.4 faux');
    expect(replyTokens).toEqual([]);
    expect(deliveryReport).toBeUndefined();
    expect(inbound.autoReply).toBeUndefined();
  });

  it('keeps both parts of multipart/alternative, the HTML for the ingest to sanitize, and inline cid images as attachments', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const raw = eml([
      'From: citoyen@exemple.fr',
      'To: etat-civil@ville-demo.fr',
      'Subject: Photo',
      'Message-ID: <alt-1@exemple.fr>',
      'Content-Type: multipart/related; boundary="r"',
      '',
      '--r',
      'Content-Type: multipart/alternative; boundary="a"',
      '',
      '--a',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Version texte',
      '--a',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p onclick="x()">Version <b>HTML</b><img src="cid:photo1"><img src="https://traceur.example/pixel.gif"><script>alert(1)</script><a href="javascript:alert(2)">lien</a></p>',
      '--a--',
      '--r',
      'Content-Type: image/png',
      'Content-ID: <photo1>',
      'Content-Disposition: inline; filename="photo.png"',
      'Content-Transfer-Encoding: base64',
      '',
      png.toString('base64'),
      '--r--',
      '',
    ]);
    const { inbound } = await parseEmail(raw, CH);
    expect(inbound.text).toBe('Version texte');
    expect(inbound.html).toContain('<b>HTML</b>');
    expect(inbound.html).toContain('src="cid:photo1"');
    const safe = sanitizeEmailHtml(inbound.html!);
    expect(safe).not.toMatch(/script|onclick|javascript:|(?<!-)src="https:/);
    expect(safe).toContain('data-remote-src="https://traceur.example/pixel.gif"');
    expect(inbound.attachments!.map((a) => a.fileName)).toEqual(['photo.png']);
    expect(inbound.meta).toMatchObject({ inlineImages: { photo1: 'photo.png' } });
  });

  it('lists an image shown by cid: again only when it is also a real attachment, outside the HTML’s multipart/related', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
    const part = (cid: string, name: string) => [
      'Content-Type: image/png',
      `Content-ID: <${cid}>`,
      `Content-Disposition: attachment; filename="${name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      png,
    ];
    const raw = eml([
      'From: citoyen@exemple.fr',
      'To: etat-civil@ville-demo.fr',
      'Subject: Photos',
      'Message-ID: <rel-1@exemple.fr>',
      'Content-Type: multipart/mixed; boundary="m"',
      '',
      '--m',
      'Content-Type: multipart/related; boundary="r"',
      '',
      '--r',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p><img src="cid:embedded"><img src="cid:both"></p>',
      '--r',
      // Marked `attachment` as nodemailer and others do, but inside the related part: embedded only.
      ...part('embedded', 'logo.png'),
      '--r--',
      '--m',
      ...part('both', 'trou.png'),
      '--m--',
      '',
    ]);
    const { inbound } = await parseEmail(raw, CH);
    expect(inbound.attachments!.map((a) => a.fileName)).toEqual(['logo.png', 'trou.png']);
    expect(inbound.meta).toMatchObject({ inlineImages: { embedded: 'logo.png', both: 'trou.png' }, listedToo: ['trou.png'] });
  });

  it('reads plain-text bounces (qmail, French providers) as delivery reports, and only from a mailer daemon', async () => {
    const qmail = await parseEmail(
      eml([
        'From: MAILER-DAEMON@mx.exemple.fr',
        'To: etat-civil@ville-demo.fr',
        'Subject: failure notice',
        'Message-ID: <bounce-1@mx.exemple.fr>',
        '',
        'Hi. This is the qmail-send program at mx.exemple.fr.',
        "I'm afraid I wasn't able to deliver your message to the following addresses.",
        '',
        '<inconnu@exemple.fr>:',
        '550 5.1.1 <inconnu@exemple.fr>: Recipient address rejected: User unknown',
        '',
        '--- Below this line is a copy of the message.',
        '',
        'From: etat-civil@ville-demo.fr',
        'Message-ID: <reponse-42@ville-demo.fr>',
        'Subject: Re: Votre demande [GU-7K3M9Q]',
        '',
      ]),
      CH,
    );
    expect(qmail.deliveryReport).toEqual({
      originalMessageId: '<reponse-42@ville-demo.fr>',
      action: 'failed',
      status: null,
      reason: '550 5.1.1 <inconnu@exemple.fr>: Recipient address rejected: User unknown',
    });
    const delayed = await parseEmail(
      eml([
        'From: postmaster@orange.fr',
        'Return-Path: <>',
        'Subject: Avertissement : remise du message retardée (non remis pour l’instant)',
        'In-Reply-To: <reponse-43@ville-demo.fr>',
        '',
        'Le serveur réessaiera : 451 4.4.1 délai de connexion dépassé',
      ]),
      CH,
    );
    expect(delayed.deliveryReport).toMatchObject({ originalMessageId: '<reponse-43@ville-demo.fr>', action: 'delayed' });
    // A citizen quoting a bounce is a citizen's message.
    const citizen = await parseEmail(
      eml(
        ['From: jean@exemple.fr', 'Subject: Message non remis ?', '', 'Mon mail précédent est revenu : 550 5.1.1'].concat(['']),
      ),
      CH,
    );
    expect(citizen.deliveryReport).toBeUndefined();
  });

  it('survives a wrong charset and an unknown one', async () => {
    const latin1 = Buffer.concat([
      Buffer.from(
        eml([
          'From: a@exemple.fr',
          'Subject: =?iso-8859-1?Q?D=E9claration?=',
          'Message-ID: <cs-1@exemple.fr>',
          'Content-Type: text/plain; charset=utf-8',
          '',
          '',
        ]),
      ),
      Buffer.from('Je d\xe9clare un d\xe9c\xe8s.\r\n', 'latin1'),
    ]);
    const a = await parseEmail(latin1, CH);
    expect(a.inbound.subject).toBe('Déclaration');
    expect(a.inbound.text).toMatch(/^Je d.clare un d.c.s\.$/);
    const unknown = eml([
      'From: a@exemple.fr',
      'Subject: x',
      'Message-ID: <cs-2@exemple.fr>',
      'Content-Type: text/plain; charset=x-inconnu-42',
      '',
      'Bonjour',
    ]);
    expect((await parseEmail(unknown, CH)).inbound.text).toBe('Bonjour');
  });

  it('finds threading hints: plus-address token, In-Reply-To and References, newest first', async () => {
    const raw = eml([
      'From: a@exemple.fr',
      'To: "Mairie" <etat-civil+abcdef234567@ville-demo.fr>, autre+zzz@ailleurs.fr',
      'Delivered-To: etat-civil+tok2@ville-demo.fr',
      'Subject: RE: Votre demande [GU-7K3M9Q]',
      'Message-ID: <r-1@exemple.fr>',
      'In-Reply-To: <m3@ville-demo.fr>',
      'References: <m1@ville-demo.fr> <m2@exemple.fr>',
      '  <m3@ville-demo.fr>',
      '',
      'Merci',
    ]);
    const { inbound, replyTokens } = await parseEmail(raw, CH);
    expect(replyTokens).toEqual(['abcdef234567', 'tok2']);
    expect(inbound.thread?.inReplyTo).toEqual(['<m3@ville-demo.fr>', '<m2@exemple.fr>', '<m1@ville-demo.fr>']);
    expect(plusTokens(['x+abc@other.fr'], 'etat-civil@ville-demo.fr')).toEqual([]);
  });

  it('recognizes auto-replies by header and by vacation subject, but not Auto-Submitted: no', async () => {
    const base = ['From: a@exemple.fr', 'Message-ID: <ar@exemple.fr>'];
    const cases: [string[], boolean][] = [
      [['Auto-Submitted: auto-replied', 'Subject: Re: demande'], true],
      [['Auto-Submitted: no', 'Subject: Re: demande'], false],
      [['X-Autoreply: yes', 'Subject: x'], true],
      [['X-Autorespond: yes', 'Subject: x'], true],
      [['Precedence: bulk', 'Subject: x'], true],
      [['Precedence: auto_reply', 'Subject: x'], true],
      [['Subject: Réponse automatique : absent jusqu’au 3'], true],
      [['Subject: =?UTF-8?Q?Absence_du_bureau?='], true],
      [['Subject: Out of Office: back Monday'], true],
      [['Subject: Automatic reply: votre message'], true],
      [['Subject: Ma réponse à votre question'], false],
    ];
    for (const [headers, expected] of cases) {
      const { inbound } = await parseEmail(eml([...base, ...headers, '', 'corps']), CH);
      expect([headers.join(' | '), !!inbound.autoReply]).toEqual([headers.join(' | '), expected]);
    }
  });

  it('reads a delivery status notification: original Message-ID and the remote reason', async () => {
    const raw = eml([
      'From: Mail Delivery System <MAILER-DAEMON@mx.ville-demo.fr>',
      'To: etat-civil@ville-demo.fr',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <dsn-1@mx.ville-demo.fr>',
      'Auto-Submitted: auto-replied',
      'Content-Type: multipart/report; report-type=delivery-status;',
      '\tboundary="dsn"',
      '',
      '--dsn',
      'Content-Type: text/plain',
      '',
      'Votre message n’a pas pu être remis.',
      '--dsn',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.ville-demo.fr',
      '',
      'Final-Recipient: rfc822; inconnu@exemple.fr',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 <inconnu@exemple.fr>: Recipient address',
      '  rejected: User unknown',
      '',
      '--dsn',
      'Content-Type: text/rfc822-headers',
      '',
      'From: etat-civil@ville-demo.fr',
      'To: inconnu@exemple.fr',
      'Message-ID: <8d1f0c2e-0000-4000-8000-000000000001@ville-demo.fr>',
      'Subject: Re: demande [GU-7K3M9Q]',
      '',
      '--dsn--',
      '',
    ]);
    const { deliveryReport, inbound } = await parseEmail(raw, CH);
    expect(deliveryReport).toEqual({
      originalMessageId: '<8d1f0c2e-0000-4000-8000-000000000001@ville-demo.fr>',
      action: 'failed',
      status: '5.1.1',
      reason: '550 5.1.1 <inconnu@exemple.fr>: Recipient address rejected: User unknown',
    });
    expect(inbound.attachments).toEqual([]);
  });

  it('records oversize attachments as not imported, and generates a stable id without Message-ID', async () => {
    const raw = eml([
      'From: a@exemple.fr',
      'Subject: gros fichier',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'voir pièce jointe',
      '--b',
      'Content-Type: application/octet-stream; name="plan.dwg"',
      'Content-Disposition: attachment; filename="plan.dwg"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.alloc(3000, 7).toString('base64'),
      '--b--',
      '',
    ]);
    const first = await parseEmail(raw, { ...CH, maxAttachmentBytes: 1000 });
    expect(first.inbound.attachments).toEqual([]);
    expect(first.inbound.meta?.notImported).toEqual([
      expect.objectContaining({ fileName: 'plan.dwg', size: 3000, reason: expect.stringMatching(/trop volumineuse/) }),
    ]);
    expect(first.inbound.externalId).toBe(generatedMessageId(Buffer.from(raw)));
    expect((await parseEmail(raw, CH)).inbound.externalId).toBe(first.inbound.externalId);
  });

  it('refuses a mail without a usable sender', async () => {
    await expect(parseEmail(eml(['Subject: sans expéditeur', '', 'x']), CH)).rejects.toThrow(/expéditeur/);
    await expect(parseEmail(eml(['From: pas une adresse', 'Subject: x', '', 'x']), CH)).rejects.toThrow(/expéditeur/);
  });
});

describe('email replies', () => {
  const request = {
    channel: {
      id: 'c1',
      kind: 'email' as const,
      config: {
        address: 'etat-civil@ville-demo.fr',
        displayName: 'Mairie — État civil',
        imap: { host: '127.0.0.1', port: 1, secure: false, user: 'u', password: 'p', folders: ['INBOX'] },
        smtp: { host: '127.0.0.1', port: 1, secure: false, user: 'u', password: 'p' },
        processed: 'seen',
      },
    },
    to: { kind: 'email' as const, value: 'renee@exemple.fr', name: 'Renée Léger' },
    message: { id: '11111111-2222-4333-8444-555555555555', body: 'Bonjour,\n\nVotre acte est prêt.', attachments: [] },
    conversation: {
      id: 'conv',
      reference: 'GU-7K3M9Q',
      subject: 'RE: Re: Acte de naissance [GU-7K3M9Q]',
      lastInboundAt: new Date(),
    },
    threadExternalIds: ['<m1@exemple.fr>', '<m2@ville-demo.fr>'],
    replyToken: 'abcdefghijklmnopqrstuvwxyz234567abcd',
    publicUrl: 'http://guichet.test',
  };

  it('builds a threaded reply with our stable Message-ID, Reply-To token and one Re:', async () => {
    const built = await buildReplyEmail(request);
    const text = built.raw.toString();
    expect(built.messageId).toBe('<11111111-2222-4333-8444-555555555555@ville-demo.fr>');
    expect(built.messageId).toBe(outboundMessageId(request.message.id, 'etat-civil@ville-demo.fr'));
    expect(text).toMatch(/^Message-ID: <11111111-2222-4333-8444-555555555555@ville-demo\.fr>$/m);
    expect(text).toMatch(/^In-Reply-To: <m2@ville-demo\.fr>$/m);
    expect(text).toMatch(/^References: <m1@exemple\.fr> <m2@ville-demo\.fr>$/m);
    expect(text).toMatch(/^Reply-To: etat-civil\+abcdefghijklmnopqrstuvwxyz234567abcd@ville-demo\.fr$/m);
    expect(text).toMatch(/^Subject: Re: Acte de naissance \[GU-7K3M9Q\]$/m);
    const parsed = await parseEmail(built.raw, CH);
    expect(parsed.inbound.html).toContain('<p>Votre acte est prêt.</p>');
    expect(replySubject(null, 'GU-7K3M9Q', false)).toBe('Votre demande [GU-7K3M9Q]');
    expect(replyAddress('mairie+old@v.fr', 'tok')).toBe('mairie+tok@v.fr');
  });

  it('classifies SMTP failures: 5xx permanent, 4xx and network temporary', () => {
    expect(classifySmtpError({ responseCode: 550, response: '550 5.1.1 unknown user' })).toEqual({
      temporary: false,
      reason: expect.stringContaining('550 5.1.1 unknown user'),
    });
    expect(classifySmtpError({ responseCode: 451, response: '451 try later' }).temporary).toBe(true);
    expect(classifySmtpError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }).temporary).toBe(true);
  });

  it('reads the sender of a raw message for per-sender ordering', () => {
    expect(senderOf(Buffer.from('Subject: x\r\nFrom: "Dupont, Jean"\r\n <Jean.Dupont@Exemple.fr>\r\n\r\nFrom: autre@x.fr'))).toBe(
      'jean.dupont@exemple.fr',
    );
    expect(senderOf(Buffer.from('From: a@b.fr\r\n\r\nx'))).toBe('a@b.fr');
    expect(senderOf(Buffer.from('Subject: sans\r\n\r\nFrom: a@b.fr'))).toBeNull();
  });

  it('cuts FETCH batches by count and by bytes, a mail bigger than the limit going alone', () => {
    const uids = [1, 2, 3, 4, 5, 6, 7];
    const size = (uid: number) => ({ 3: 30, 4: 500 })[uid] ?? 10;
    expect(nextBatch(uids, 0, size, 50, 100)).toEqual([1, 2, 3]);
    expect(nextBatch(uids, 3, size, 50, 100)).toEqual([4]);
    expect(nextBatch(uids, 4, size, 2, 100)).toEqual([5, 6]);
    expect(nextBatch(uids, 7, size, 50, 100)).toEqual([]);
  });

  it('backs off exponentially with jitter', () => {
    expect(backoffDelay(1, 1000, 60000, () => 1)).toBe(1000);
    expect(backoffDelay(3, 1000, 60000, () => 0)).toBe(2000);
    expect(backoffDelay(20, 1000, 60000, () => 1)).toBe(60000);
  });
});
