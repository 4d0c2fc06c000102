import { mentionedAgentIds, mentionMatches, mentionQueryAt } from '../mentions';

const agents = [
  { id: 'marie', name: 'Marie' },
  { id: 'marie-durand', name: 'Marie Durand' },
  { id: 'elodie', name: 'Élodie Bernard' },
];

describe('@mentions in notes', () => {
  it('finds whole names, accents and case ignored, the longest name winning where two overlap', () => {
    expect(mentionedAgentIds('Vu avec @marie durand, et @ELODIE BERNARD.', agents)).toEqual(['marie-durand', 'elodie']);
    expect(mentionedAgentIds('@Marie peux-tu ?', agents)).toEqual(['marie']);
  });

  it('ignores e-mail addresses and names that run on into another word', () => {
    expect(mentionedAgentIds('écrire à contact@marie.fr', agents)).toEqual([]);
    expect(mentionedAgentIds('@Mariette a appelé', agents)).toEqual([]);
  });

  it('says what is being typed after @ at the cursor, and matches names by any word', () => {
    expect(mentionQueryAt('Bonjour @Élo', 12)).toEqual({ start: 8, query: 'Élo' });
    expect(mentionQueryAt('a@b', 3)).toBeNull();
    expect(mentionQueryAt('pas de mention', 5)).toBeNull();
    expect(mentionMatches('Élodie Bernard', 'bern')).toBe(true);
    expect(mentionMatches('Élodie Bernard', 'elo')).toBe(true);
    expect(mentionMatches('Élodie Bernard', 'paul')).toBe(false);
  });
});
