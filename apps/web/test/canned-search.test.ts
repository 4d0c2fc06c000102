import type { CannedReplyDto } from '@guichet/contracts';
import { foldText, matchCannedReplies } from '../src/lib/canned-search';

const reply = (title: string, body: string): CannedReplyDto => ({
  id: title,
  teamId: null,
  title,
  body,
  updatedAt: '2026-11-30T10:00:00.000Z',
});

describe('the composer’s search of canned replies', () => {
  const replies = [
    reply('Horaires d’ouverture', 'La mairie vous accueille du lundi au vendredi.'),
    reply('Pièces manquantes', 'Il manque un acte de décès à votre dossier.'),
    reply('Acte de décès disponible', 'Votre acte est prêt.'),
  ];

  it('ignores accents and case', () => {
    expect(foldText('Décès ÉTÉ')).toBe('deces ete');
    expect(matchCannedReplies(replies, 'DECES').map((r) => r.title)).toEqual(['Acte de décès disponible', 'Pièces manquantes']);
  });

  it('needs every word typed, in the title or the text, titles first', () => {
    expect(matchCannedReplies(replies, 'acte dossier').map((r) => r.title)).toEqual(['Pièces manquantes']);
    expect(matchCannedReplies(replies, 'acte').map((r) => r.title)).toEqual(['Acte de décès disponible', 'Pièces manquantes']);
    expect(matchCannedReplies(replies, 'samedi')).toEqual([]);
  });

  it('offers them all when nothing is typed', () => {
    expect(matchCannedReplies(replies, '  ')).toHaveLength(3);
  });
});
