import { reminderText } from '../../src/modules/municipal-events/registrant-notices.service';

/**
 * Issue 17: a reminder says when the event starts, right whenever it goes out — not its schedule
 * (« dans 48 h » when claimed later) nor a time left that a send held back by a retry would falsify.
 */
describe('reminderText', () => {
  it('says the start’s day, date and time in Paris, and the place', () => {
    // 14:00 in Paris on a summer Saturday (UTC+2), 23:30 on a winter evening (UTC+1).
    expect(reminderText('Atelier vacances', new Date('2027-06-12T12:00:00Z'), 'Centre de loisirs')).toBe(
      'Rappel : « Atelier vacances » a lieu le samedi 12 juin à 14:00, Centre de loisirs. ' +
        'En cas d’empêchement, annulez avec le lien reçu à l’inscription.',
    );
    expect(reminderText('Veillée', new Date('2027-01-15T22:30:00Z'), 'Salle des fêtes')).toContain(
      'a lieu le vendredi 15 janvier à 23:30, Salle des fêtes.',
    );
  });
});
