import { senderAddresses } from '../sender-addresses';

const eml = (lines: string[]) => Buffer.from(lines.join('\r\n'));

describe('the sender addresses of a mail the parser refused', () => {
  it('reads From, Sender, Reply-To and Return-Path, folded or not, lower-cased, each once', () => {
    const raw = eml([
      'Return-Path: <Jeanne.Martin@Exemple.fr>',
      'From: =?UTF-8?Q?Jeanne_Mart=C3=AFn?=',
      '\t<jeanne.martin@exemple.fr>',
      'To: etat-civil@ville-demo.fr, autre@ville-demo.fr',
      'Cc: voisin@exemple.fr',
      'Reply-To: "Famille Martin" <famille.martin@exemple.fr>, jeanne.martin@exemple.fr',
      'Subject: écrit à partir de adresse@dans-le-sujet.fr',
      'Content-Type: multipart/mixed; boundary="x"',
      '',
      'From: corps@exemple.fr',
      '--x',
    ]);
    expect(senderAddresses(raw)).toEqual(['jeanne.martin@exemple.fr', 'famille.martin@exemple.fr']);
  });

  it('gives nothing for a mail without a sender, or with garbage where the address should be', () => {
    expect(senderAddresses(eml(['Subject: pas d’expéditeur', 'Message-ID: <a@b.fr>', '', 'corps']))).toEqual([]);
    expect(senderAddresses(eml(['From: personne', '', 'x']))).toEqual([]);
    expect(senderAddresses(Buffer.alloc(0))).toEqual([]);
  });

  it('reads only the header section of a source with no body, and of a sub-array of a larger buffer', () => {
    expect(senderAddresses(Buffer.from('From: seul@exemple.fr'))).toEqual(['seul@exemple.fr']);
    const big = Buffer.from('XXXXFrom: dedans@exemple.fr\n\nFrom: apres@exemple.fr');
    expect(senderAddresses(big.subarray(4))).toEqual(['dedans@exemple.fr']);
  });
});
