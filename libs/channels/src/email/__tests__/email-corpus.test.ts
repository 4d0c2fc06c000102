import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEmail } from '../email-parser';

/** Hand-made samples in the shapes real clients send (corpus/*.eml, raw bytes as they arrive). */
const sample = (name: string) => readFileSync(join(__dirname, 'corpus', name));
const CH = { channelId: 'chan-1', channelAddress: 'etat-civil@ville-demo.fr' };

describe('legacy charsets, as old clients send them', () => {
  it('reads a French Outlook Express mail with raw Windows-1252 subject and sender name, keeping the original header bytes', async () => {
    const { inbound } = await parseEmail(sample('fr-windows-1252-8bit-headers.eml'), CH);
    expect(inbound.subject).toBe('Demande d’extrait d’acte – état civil');
    expect(inbound.from).toEqual({ kind: 'email', value: 'f.lefevre@wanadoo.fr', name: 'Frédéric Lefèvre' });
    expect(inbound.text).toContain('Noël, né à Évreux');
    expect(inbound.text).toContain('1,50 € pour l’œuvre');
    const notes = inbound.meta!.charsets as { where: string; used: string; how: string; raw?: string }[];
    const headers = notes.find((n) => n.where === 'headers')!;
    expect(headers).toMatchObject({ used: 'windows-1252', how: 'declared' });
    expect(Buffer.from(headers.raw!, 'base64').toString('latin1')).toContain('Subject: Demande d\x92extrait');
  });

  it('reads a mail without any MIME header written in 8-bit Latin-1 as Windows-1252', async () => {
    const { inbound } = await parseEmail(sample('fr-8bit-no-mime.eml'), CH);
    expect(inbound.subject).toBe("Carte d'identité périmée");
    expect(inbound.from.name).toBe('Hélène Dupré');
    expect(inbound.text).toContain('périmée depuis février. Que dois-je apporter à la mairie ?');
    expect(inbound.meta!.charsets).toEqual([
      expect.objectContaining({ where: 'body', declared: null, used: 'windows-1252', how: 'detected' }),
      expect.objectContaining({ where: 'headers', used: 'windows-1252' }),
    ]);
    expect(inbound.attachments).toEqual([]);
  });

  it('keeps the mail as it arrived next to a text whose charset is only a guess', async () => {
    const { inbound } = await parseEmail(sample('fr-short-latin1-declared-utf8.eml'), CH);
    expect(inbound.text).toBe('Reçu.');
    const [note] = inbound.meta!.charsets as { confidence: number }[];
    expect(note!.confidence).toBeLessThan(50);
    expect(inbound.attachments!.map((a) => [a.fileName, a.contentType])).toEqual([['message-original.eml', 'message/rfc822']]);
    expect(Buffer.from(inbound.attachments![0]!.content).equals(sample('fr-short-latin1-declared-utf8.eml'))).toBe(true);
  });

  it('reads a raw GBK subject and sender name from the charset the body declares', async () => {
    const { inbound } = await parseEmail(sample('zh-gbk-8bit-headers.eml'), CH);
    expect(inbound.subject).toBe('关于户口登记的咨询');
    expect(inbound.from.name).toBe('王小明');
    expect(inbound.text).toBe('您好，我想咨询关于居留登记的手续。谢谢！王小明');
  });

  it('reads a raw Shift_JIS subject from the charset the body declares', async () => {
    const { inbound } = await parseEmail(sample('ja-shift-jis-8bit-subject.eml'), CH);
    expect(inbound.subject).toBe('住民票の申請について');
    expect(inbound.text).toBe('住民票の写しを一通お願いします。田中');
  });

  it('reads a body declared in the unknown charset iso-gb2312', async () => {
    const { inbound } = await parseEmail(sample('zh-iso-gb2312-body.eml'), CH);
    expect(inbound.subject).toBe('出生证明');
    expect(inbound.text).toBe('请问如何申请出生证明？李华');
  });

  it('reads Latin-2 text declared as Latin-1 in Latin-2, and notes the declared charset', async () => {
    const { inbound } = await parseEmail(sample('cz-latin2-declared-latin1.eml'), CH);
    expect(inbound.text).toContain('Děkuji, Jiří Dvořák, Plzeň.');
    expect(inbound.meta!.charsets).toEqual([
      expect.objectContaining({ where: 'body', declared: 'iso-8859-1', used: 'iso-8859-2', how: 'detected' }),
    ]);
  });
  it('reads Outlook’s Windows-1252 quotes, dashes, œ and € in a mail declared ISO-8859-1 (encoded words and body)', async () => {
    const { inbound } = await parseEmail(sample('fr-latin1-declared-cp1252-quotes.eml'), CH);
    expect(inbound.subject).toBe('Demande d’acte – coût 1,50 €');
    expect(inbound.from.name).toBe('Françoise Cœur');
    expect(inbound.text).toContain('J’ai besoin d’un extrait d’acte « de naissance » pour l’œuvre sociale, coût 1,50 € … merci.');
    expect(inbound.text).not.toMatch(/[\u0080-\u009f\ufffd]/);
  });

  it('reads an old DOS client’s mail in code page 850, a charset only iconv-lite knows, headers included', async () => {
    const { inbound } = await parseEmail(sample('fr-dos-ibm850.eml'), CH);
    expect(inbound.subject).toBe('Réservation salle des fêtes');
    expect(inbound.from.name).toBe('José Martín');
    expect(inbound.text).toBe('Je voudrais réserver la salle des fêtes pour le 1er avril.\nJosé');
    expect(inbound.meta!.charsets).toEqual([expect.objectContaining({ where: 'headers', used: 'ibm850', how: 'declared' })]);
    expect(inbound.attachments).toEqual([]);
  });
});

describe('senders recovered from other headers', () => {
  it('takes the address of Reply-To when From is empty, as an unverified sender, and says so', async () => {
    const { inbound } = await parseEmail(sample('no-from-reply-to.eml'), CH);
    expect(inbound.from).toEqual({ kind: 'email', value: 'sophie.bernard@orange.fr', name: 'Sophie Bernard' });
    expect(inbound.sender).toBe('typed');
    expect(inbound.meta!.senderDeduced).toBe('reply-to');
  });

  it('takes the address of Sender when From has no address', async () => {
    const { inbound } = await parseEmail(sample('invalid-from-sender.eml'), CH);
    expect(inbound.from.value).toBe('animation@asso-quartier.fr');
    expect(inbound.sender).toBe('typed');
    expect(inbound.meta!.senderDeduced).toBe('sender');
  });

  it('still refuses a mail with nobody to answer', async () => {
    await expect(parseEmail(sample('no-sender-at-all.eml'), CH)).rejects.toThrow(/expéditeur/);
  });

  it('keeps a usable From as the provider-vouched sender', async () => {
    const { inbound } = await parseEmail(sample('dup-same-id-a.eml'), CH);
    expect(inbound.sender).toBeUndefined();
    expect(inbound.meta!.senderDeduced).toBeUndefined();
  });
});

describe('attachment names', () => {
  it('names an attached e-mail from its subject, unnamed parts from their type, keeps extensions and order, and same names apart', async () => {
    const { inbound } = await parseEmail(sample('attachment-names.eml'), CH);
    expect(inbound.attachments!.map((a) => a.fileName)).toEqual([
      'Objet du message.eml',
      'piece-jointe-2.mov',
      'scan.pdf',
      'scan (2).pdf',
      'film.quicktime',
    ]);
    expect(inbound.attachments!.map((a) => Buffer.from(a.content).toString().slice(0, 14))).toEqual([
      expect.stringContaining('From: voisin'),
      'moov....fake q',
      '%PDF-1.4 recto',
      '%PDF-1.4 verso',
      'moov....named',
    ]);
  });
});
