import fc from 'fast-check';
import {
  ACK_VARIABLES,
  DEFAULT_ACK_TEMPLATES,
  DEFAULT_SIGNATURE_TEMPLATE,
  SIGNATURE_VARIABLES,
  ackForm,
  ackValues,
  decisionMentions,
  effectiveAckTemplates,
  frenchLongDateOf,
  missingAckMentions,
  renderAcknowledgement,
  renderSignature,
  renderTemplate,
  signedBody,
  templateProblems,
  type AckFacts,
} from '../acknowledgements';
import { acknowledgementSettingsSchema, requestTypeAcknowledgementSchema } from '../acknowledgement-settings';
import { endOfCivilDay } from '../deadlines';
import { smsSegments } from '../sms-segments';

const facts = (over: Partial<AckFacts> = {}): AckFacts => ({
  commune: 'Ville de Démo',
  reference: 'GU-7K3M9Q',
  receivedAt: new Date('2026-11-30T13:05:00Z'),
  requestType: { name: 'Autorisation de terrasse', documents: ['Extrait Kbis', 'Attestation d’assurance'] },
  decisionRegime: 'rejection',
  decisionDueAt: endOfCivilDay('2027-01-30'),
  service: {
    name: 'Développement économique',
    address: '1 place de la Mairie, 99000 Démo',
    email: 'eco@demo.fr',
    phone: '01 23 45 67 89',
  },
  trackingUrl: 'https://guichet.demo.fr/suivi/GU-7K3M9Q?token=abc',
  ...over,
});

describe('acknowledgement templates', () => {
  it('writes every R112-5 mention of a silence-means-rejection request', () => {
    const text = renderAcknowledgement('receipt', 'full', DEFAULT_ACK_TEMPLATES, facts());
    expect(text).toContain('Accusé de réception de votre demande GU-7K3M9Q');
    expect(text).toContain('a bien reçu votre demande le 30 novembre 2026 à 14 h 05'); // Paris time
    expect(text).toContain('Démarche : Autorisation de terrasse');
    expect(text).toContain('au 30 janvier 2027, votre demande sera réputée rejetée');
    expect(text).toContain('Délais et voies de recours');
    expect(text).toContain('Télérecours citoyens');
    expect(text).toContain('- Extrait Kbis\n- Attestation d’assurance');
    expect(text).toContain('Service chargé de votre demande : Développement économique');
    expect(text).toContain('Adresse postale : 1 place de la Mairie, 99000 Démo');
    expect(text).toContain('Courriel : eco@demo.fr');
    expect(text).toContain('Téléphone : 01 23 45 67 89');
    expect(text).toContain('https://guichet.demo.fr/suivi/GU-7K3M9Q?token=abc');
    expect(text).not.toContain('attestation de cette décision');
    expect(text).not.toMatch(/\{\{|\}\}|\n{3}/);
  });

  it('gives the right to an attestation for silence = acceptance, and says no implicit decision arises otherwise', () => {
    const acceptance = renderAcknowledgement('receipt', 'full', DEFAULT_ACK_TEMPLATES, facts({ decisionRegime: 'acceptance' }));
    expect(acceptance).toContain('réputée acceptée');
    expect(acceptance).toContain('L232-3');
    expect(acceptance).not.toContain('voies de recours');
    const none = renderAcknowledgement(
      'receipt',
      'full',
      DEFAULT_ACK_TEMPLATES,
      facts({ decisionRegime: 'none', decisionDueAt: null, requestType: { name: 'Signalement voirie', documents: [] } }),
    );
    expect(none).toContain('Cette demande ne donne pas lieu à une décision implicite.');
    expect(none).not.toContain('Pièces à fournir');
    expect(none).not.toContain('L232-3');
  });

  it('drops a label whose value is missing (no service phone) rather than leave it empty', () => {
    const text = renderAcknowledgement(
      'receipt',
      'full',
      DEFAULT_ACK_TEMPLATES,
      facts({ service: { name: 'Scolarité', address: '', email: 'sco@demo.fr', phone: '' } }),
    );
    expect(text).not.toContain('Téléphone :');
    expect(text).not.toContain('Adresse postale :');
    expect(text).toContain('Courriel : sco@demo.fr');
  });

  it('writes the short form in one or two GSM segments, with the tracking link', () => {
    const text = renderAcknowledgement(
      'receipt',
      'short',
      DEFAULT_ACK_TEMPLATES,
      facts({ trackingUrl: 'https://g.fr/suivi/GU-7K3M9Q?token=AbCdEfGhIjKlMnOpQrStUvWxYz012345' }),
    );
    expect(text).toBe(
      'Ville de Démo : accusé de réception de votre demande GU-7K3M9Q (Autorisation de terrasse). Sans réponse au 30 janvier 2027 : rejet implicite, recours possible. Détails : https://g.fr/suivi/GU-7K3M9Q?token=AbCdEfGhIjKlMnOpQrStUvWxYz012345',
    );
    expect(smsSegments(text).encoding).toBe('GSM-7');
    expect(smsSegments(text).segments).toBeLessThanOrEqual(2);
    expect(renderAcknowledgement('registration', 'short', DEFAULT_ACK_TEMPLATES, facts())).toContain("accusé d'enregistrement");
  });

  it('marks a correction as replacing the earlier acknowledgement', () => {
    expect(renderAcknowledgement('correction', 'full', DEFAULT_ACK_TEMPLATES, facts())).toMatch(
      /^Accusé de réception rectificatif/,
    );
    expect(renderAcknowledgement('correction', 'short', DEFAULT_ACK_TEMPLATES, facts())).toMatch(/^Rectificatif : /);
  });

  describe('on paper (a letter an agent registered)', () => {
    // A letter's date stamp: only the day is known.
    const paper = (over: Partial<AckFacts> = {}) => facts({ receivedDayOnly: true, ...over });
    const electronicLaw = /L112-8|L112-11|électronique|d’enregistrement|d'enregistrement/;

    it('takes the paper texts on a postal channel only', () => {
      expect(ackForm('letter')).toBe('paper');
      expect([ackForm('email'), ackForm('webform'), ackForm('sms'), ackForm('whatsapp')]).toEqual([
        'full',
        'full',
        'short',
        'short',
      ]);
      expect([ackForm('voice'), ackForm('pbx')]).toEqual([null, null]);
    });

    it('writes every R112-5 mention of a silence-means-rejection request, as a letter, citing no electronic rule', () => {
      const text = renderAcknowledgement('receipt', 'paper', DEFAULT_ACK_TEMPLATES, paper());
      expect(text).toMatch(/^Madame, Monsieur,\n/);
      expect(text).toContain('Nous avons bien reçu le 30 novembre 2026 votre demande, enregistrée sous la référence GU-7K3M9Q.');
      expect(text).toContain('Démarche : Autorisation de terrasse');
      expect(text).toContain('En l’absence de réponse de notre part au 30 janvier 2027, votre demande sera réputée rejetée');
      expect(text).toContain(
        'Délais et voies de recours : vous pourrez contester cette décision implicite de rejet dans un délai de deux mois',
      );
      expect(text).toContain('tribunal administratif');
      expect(text).toContain('- Extrait Kbis\n- Attestation d’assurance');
      expect(text).toContain('Service chargé de votre demande : Développement économique');
      expect(text).toContain('Adresse postale : 1 place de la Mairie, 99000 Démo');
      expect(text).toContain('Téléphone : 01 23 45 67 89');
      expect(text).toContain('Courriel : eco@demo.fr');
      expect(text).toContain('articles L112-3 et R112-5 du code des relations entre le public et l’administration');
      expect(text).toMatch(/salutations distinguées\.$/);
      expect(text).not.toMatch(electronicLaw);
      expect(text).not.toContain('14 h 05'); // the day only
      expect(text).not.toMatch(/\{\{|\}\}|\n{3}/);
    });

    it('says silence means acceptance and the right to an attestation, or that no implicit decision arises', () => {
      const acceptance = renderAcknowledgement(
        'receipt',
        'paper',
        DEFAULT_ACK_TEMPLATES,
        paper({ decisionRegime: 'acceptance' }),
      );
      expect(acceptance).toContain('au 30 janvier 2027, votre demande sera réputée acceptée');
      expect(acceptance).toContain('attestation de cette décision implicite d’acceptation (article L232-3');
      expect(acceptance).not.toContain('voies de recours');
      const none = renderAcknowledgement(
        'receipt',
        'paper',
        DEFAULT_ACK_TEMPLATES,
        paper({ decisionRegime: 'none', decisionDueAt: null, requestType: { name: 'Signalement voirie', documents: [] } }),
      );
      expect(none).toContain('Cette demande ne donne pas lieu à une décision implicite.');
      expect(none).not.toMatch(/voies de recours|L232-3|Pièces à fournir/);
      expect(none).not.toMatch(electronicLaw);
    });

    it('acknowledges a paper request without its démarche as received, announcing the complete acknowledgement, with no electronic registration text', () => {
      const text = renderAcknowledgement(
        'registration',
        'paper',
        DEFAULT_ACK_TEMPLATES,
        paper({ requestType: null, decisionRegime: null, decisionDueAt: null }),
      );
      expect(text).toContain('Nous avons bien reçu le 30 novembre 2026 votre courrier, enregistré sous la référence GU-7K3M9Q.');
      expect(text).toContain('Il a été confié au service Développement économique');
      expect(text).toContain('réputée acceptée ou rejetée');
      expect(text).toContain('les délais de recours ne vous sont pas opposables (article L112-6');
      expect(text).toContain('Adresse postale : 1 place de la Mairie, 99000 Démo');
      expect(text).toContain('Téléphone : 01 23 45 67 89');
      expect(text).toContain('(article L112-3 du code');
      expect(text).not.toMatch(electronicLaw);
      expect(text).not.toContain('dix jours ouvrés');
      // The electronic one keeps its rule.
      expect(renderAcknowledgement('registration', 'full', DEFAULT_ACK_TEMPLATES, facts())).toContain('L112-11');
    });

    it('announces a correction in words of a letter', () => {
      const text = renderAcknowledgement('correction', 'paper', DEFAULT_ACK_TEMPLATES, paper());
      expect(text).toMatch(
        /^La démarche de votre demande a été modifiée : le présent accusé de réception rectificatif remplace le précédent\.\n\nMadame, Monsieur,/,
      );
      expect(text).not.toMatch(electronicLaw);
    });

    it('any regime and date: the paper receipt states the date in long form or that none arises, never an electronic rule', () => {
      const day = fc.date({ min: new Date('2026-01-01'), max: new Date('2035-12-31'), noInvalidDate: true });
      fc.assert(
        fc.property(
          fc.constantFrom('acceptance', 'rejection', 'none') as fc.Arbitrary<'acceptance' | 'rejection' | 'none'>,
          day,
          day,
          (regime, due, received) => {
            const f = paper({ decisionRegime: regime, decisionDueAt: regime === 'none' ? null : due, receivedAt: received });
            const text = renderAcknowledgement('receipt', 'paper', DEFAULT_ACK_TEMPLATES, f);
            expect(text).toContain(`Nous avons bien reçu le ${frenchLongDateOf(received)} votre demande`);
            if (regime !== 'none') expect(text).toContain(`au ${frenchLongDateOf(due)}, votre demande sera réputée`);
            expect(text.includes('voies de recours')).toBe(regime === 'rejection');
            expect(text.includes('L232-3')).toBe(regime === 'acceptance');
            expect(text).not.toMatch(electronicLaw);
          },
        ),
      );
    });

    it('an admin may write their own paper texts (checked like the others)', () => {
      expect(acknowledgementSettingsSchema.safeParse({ templates: { paperReceipt: 'Reçu le {{date_reception}}' } }).success).toBe(
        true,
      );
      expect(acknowledgementSettingsSchema.safeParse({ templates: { paperRegistration: '{{inconnue}}' } }).success).toBe(false);
      expect(effectiveAckTemplates({ paperReceipt: 'Reçu {{reference}}' })).toMatchObject({
        paperReceipt: 'Reçu {{reference}}',
        paperRegistration: DEFAULT_ACK_TEMPLATES.paperRegistration,
      });
    });
  });

  it('writes the implicit decision date in French long form, in Paris', () => {
    expect(frenchLongDateOf(endOfCivilDay('2027-01-30'))).toBe('30 janvier 2027');
    expect(frenchLongDateOf(endOfCivilDay('2027-03-01'))).toBe('1er mars 2027');
    // 23:30 UTC on 31 December is already 1 January in Paris.
    expect(frenchLongDateOf(new Date('2026-12-31T23:30:00Z'))).toBe('1er janvier 2027');
    expect(decisionMentions('acceptance', null, 'x').decision).toContain('ne donne pas lieu');
  });

  it('refuses unknown variables and unclosed braces with French reasons', () => {
    expect(templateProblems('{{reference}} {{ demarche }}', ACK_VARIABLES)).toEqual([]);
    expect(templateProblems('{{numero}} et {{numero}}', ACK_VARIABLES)).toEqual(['variable inconnue : {{numero}}']);
    expect(templateProblems('Bonjour {{reference', ACK_VARIABLES)).toEqual(['accolades {{ … }} mal fermées']);
    expect(templateProblems('{{agent}}', SIGNATURE_VARIABLES)).toEqual([]);
    const parsed = acknowledgementSettingsSchema.safeParse({ templates: { short: '{{toto}}' } });
    expect(parsed.success).toBe(false);
    expect(acknowledgementSettingsSchema.safeParse({}).success).toBe(false);
    expect(effectiveAckTemplates({ receipt: '  ', short: 'x {{reference}}' })).toMatchObject({
      receipt: DEFAULT_ACK_TEMPLATES.receipt,
      short: 'x {{reference}}',
    });
  });

  describe('mandatory mentions, whatever the admin writes', () => {
    const own = "Demande d'acte de naissance {{reference}} : joignez votre pièce d'identité. Délai : 15 jours.";

    it('adds at the end of a receipt the R112-5 mentions its text leaves out, and nothing its text has', () => {
      expect(missingAckMentions(own, 'full')).toEqual([
        'date_reception',
        'decision',
        'mentions',
        'service',
        'adresse',
        'email',
        'telephone',
      ]);
      expect(missingAckMentions(DEFAULT_ACK_TEMPLATES.receipt, 'full')).toEqual([]);
      expect(missingAckMentions(DEFAULT_ACK_TEMPLATES.paperReceipt, 'paper')).toEqual([]);
      expect(missingAckMentions(DEFAULT_ACK_TEMPLATES.short, 'short')).toEqual([]);
      const text = renderAcknowledgement(
        'receipt',
        'full',
        { ...DEFAULT_ACK_TEMPLATES, receipt: `${own}\nTél. {{telephone}}` },
        facts(),
      );
      expect(text).toBe(
        [
          "Demande d'acte de naissance GU-7K3M9Q : joignez votre pièce d'identité. Délai : 15 jours.",
          'Tél. 01 23 45 67 89',
          '',
          'Demande reçue le 30 novembre 2026 à 14 h 05.',
          '',
          decisionMentions('rejection', endOfCivilDay('2027-01-30'), 'Développement économique').decision,
          '',
          decisionMentions('rejection', endOfCivilDay('2027-01-30'), 'Développement économique').mentions,
          '',
          'Service chargé de votre demande : Développement économique',
          'Adresse postale : 1 place de la Mairie, 99000 Démo',
          'Courriel : eco@demo.fr',
        ].join('\n'),
      );
      // A correction too; never the registration (its mentions follow with the receipt).
      expect(renderAcknowledgement('correction', 'paper', { ...DEFAULT_ACK_TEMPLATES, paperReceipt: own }, facts())).toContain(
        'Adresse postale : 1 place de la Mairie',
      );
      expect(
        renderAcknowledgement('registration', 'full', { ...DEFAULT_ACK_TEMPLATES, registration: 'Reçu {{reference}}' }, facts()),
      ).toBe('Reçu GU-7K3M9Q');
      expect(
        renderAcknowledgement('receipt', 'short', { ...DEFAULT_ACK_TEMPLATES, short: 'Bien reçu {{reference}}.' }, facts()),
      ).toBe(
        'Bien reçu GU-7K3M9Q. Sans réponse au 30 janvier 2027 : rejet implicite, recours possible. Détails : https://guichet.demo.fr/suivi/GU-7K3M9Q?token=abc',
      );
    });

    it('any text, any regime, any form: the receipt states the date received, the decision, the appeal or attestation, the service and how to reach it', () => {
      const variable = fc.constantFrom(...(Object.keys(ACK_VARIABLES) as (keyof typeof ACK_VARIABLES)[])).map((n) => `{{${n}}}`);
      const words = fc.string({ maxLength: 30 }).filter((x) => !x.includes('{') && !x.includes('}'));
      const template = fc.array(fc.oneof(words, variable, fc.constant('\n')), { maxLength: 30 }).map((p) => p.join(''));
      const day = fc.date({ min: new Date('2026-01-01'), max: new Date('2035-12-31'), noInvalidDate: true });
      fc.assert(
        fc.property(
          template,
          fc.constantFrom('acceptance', 'rejection', 'none') as fc.Arbitrary<'acceptance' | 'rejection' | 'none'>,
          day,
          fc.constantFrom('full', 'paper', 'short') as fc.Arbitrary<'full' | 'paper' | 'short'>,
          (tpl, regime, due, form) => {
            const f = facts({ decisionRegime: regime, decisionDueAt: regime === 'none' ? null : due });
            const name = { full: 'receipt', paper: 'paperReceipt', short: 'short' } as const;
            const text = renderAcknowledgement('receipt', form, effectiveAckTemplates({}, { [name[form]]: tpl }), f);
            const v = ackValues(f);
            const expected =
              form === 'short'
                ? [v.decision_courte, v.lien_suivi]
                : [v.date_reception, v.decision, v.mentions, v.service, v.adresse, v.email, v.telephone];
            for (const value of expected.filter(Boolean)) expect(text).toContain(value);
          },
        ),
      );
    });

    it('layers a démarche’s own texts over the organization’s (an empty one follows the organization’s)', () => {
      const templates = effectiveAckTemplates(
        { short: 'Commune {{reference}}', receipt: 'Commune' },
        { receipt: own, short: ' ' },
      );
      expect(templates).toMatchObject({
        receipt: own,
        short: 'Commune {{reference}}',
        paperReceipt: DEFAULT_ACK_TEMPLATES.paperReceipt,
      });
      expect(effectiveAckTemplates(undefined, null)).toEqual(DEFAULT_ACK_TEMPLATES);
    });

    it('checks a démarche’s texts as the organization’s, with French reasons', () => {
      expect(requestTypeAcknowledgementSchema.safeParse({ templates: { receipt: own, short: '' } }).success).toBe(true);
      const reasons = (body: unknown) => {
        const parsed = requestTypeAcknowledgementSchema.safeParse(body);
        return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
      };
      expect(reasons({ templates: { receipt: 'Pièces {{documents}}' } })).toEqual(['variable inconnue : {{documents}}']);
      expect(reasons({ templates: { short: 'x'.repeat(481) } })).toEqual(['480 caractères au plus']);
      expect(reasons({ templates: {} })).toEqual(['aucun changement demandé']);
      // No accusé d'enregistrement of a démarche: it goes out before the démarche is known.
      expect(reasons({ templates: { registration: 'x' } })).toEqual([
        'texte inconnu pour une démarche : registration (receipt, short ou paperReceipt)',
      ]);
      expect(reasons({})).toHaveLength(1);
    });
  });

  describe('properties', () => {
    const name = fc.constantFrom(...(Object.keys(ACK_VARIABLES) as (keyof typeof ACK_VARIABLES)[]));
    const text = fc.string({ maxLength: 30 }).filter((s) => !s.includes('{') && !s.includes('}'));
    const template = fc
      .array(
        fc.oneof(
          text,
          name.map((n) => `{{${n}}}`),
          fc.constant('\n'),
        ),
        { maxLength: 30 },
      )
      .map((p) => p.join(''));
    const values = fc.dictionary(
      name,
      fc.oneof(
        fc.constant(''),
        text.filter((s) => !s.includes('\n')),
      ),
    );

    it('a valid template renders with no variable left, and no pile of blank lines', () => {
      fc.assert(
        fc.property(template, values, (tpl, vals) => {
          expect(templateProblems(tpl, ACK_VARIABLES)).toEqual([]);
          const out = renderTemplate(tpl, vals);
          expect(out).not.toMatch(/\{\{|\}\}/);
          expect(out).not.toMatch(/\n\s*\n\s*\n/);
          expect(out).toBe(out.trim());
        }),
      );
    });

    it('every value given appears in the text when its line holds it', () => {
      fc.assert(
        fc.property(
          name,
          text.filter((s) => s.trim().length > 0 && !s.includes('\n')),
          (n, v) => {
            expect(renderTemplate(`Avant {{${n}}} après`, { [n]: v })).toBe(`Avant ${v} après`.trim());
          },
        ),
      );
    });

    it('any request, any regime and date: the receipt states the date in long form or that none arises', () => {
      const day = fc.date({ min: new Date('2026-01-01'), max: new Date('2035-12-31'), noInvalidDate: true });
      fc.assert(
        fc.property(
          fc.constantFrom('acceptance', 'rejection', 'none') as fc.Arbitrary<'acceptance' | 'rejection' | 'none'>,
          day,
          (regime, due) => {
            const f = facts({ decisionRegime: regime, decisionDueAt: regime === 'none' ? null : due });
            const full = renderAcknowledgement('receipt', 'full', DEFAULT_ACK_TEMPLATES, f);
            const values = ackValues(f);
            if (regime === 'none') expect(full).toContain('ne donne pas lieu à une décision implicite');
            else {
              expect(values.date_decision).toMatch(
                /^(1er|[12]?\d|3[01]) (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4}$/,
              );
              expect(full).toContain(values.date_decision);
            }
            expect(full.includes('voies de recours')).toBe(regime === 'rejection');
            expect(full.includes('L232-3')).toBe(regime === 'acceptance');
          },
        ),
      );
    });
  });
});

describe('L111-2 signature', () => {
  const agent = { name: 'Marie Dupont', jobTitle: 'Officière d’état civil', signAsService: false };
  const service = { name: 'État civil', address: '1 place de la Mairie, 99000 Démo' };

  it('names the agent, their role, service and its address; the short form on one line', () => {
    expect(renderSignature('', 'full', { agent, service, commune: 'Ville de Démo' })).toBe(
      'Marie Dupont\nOfficière d’état civil\nÉtat civil\nVille de Démo\n1 place de la Mairie, 99000 Démo',
    );
    expect(renderSignature(DEFAULT_SIGNATURE_TEMPLATE, 'short', { agent, service, commune: 'Ville de Démo' })).toBe(
      'Marie Dupont, Officière d’état civil - État civil - Ville de Démo',
    );
  });

  it('signs with the service only for an agent who asked (safety), whatever the template', () => {
    const anon = { ...agent, signAsService: true };
    const full = renderSignature('{{agent}} ({{fonction}})\n{{service}}, {{adresse_service}}', 'full', {
      agent: anon,
      service,
      commune: 'V',
    });
    expect(full).toBe('État civil, 1 place de la Mairie, 99000 Démo');
    expect(renderSignature('', 'short', { agent: anon, service, commune: 'V' })).toBe('État civil - V');
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (tpl) => {
        const out = renderSignature(tpl, 'full', { agent: anon, service, commune: 'V' });
        expect(out).not.toContain('Marie');
        expect(out).not.toContain('Dupont');
      }),
    );
  });

  it('appends the signature after the separator (e-mail) or a dash (SMS)', () => {
    expect(signedBody('Bonjour.\n\n', 'Marie Dupont', 'full')).toBe('Bonjour.\n\n-- \nMarie Dupont');
    expect(signedBody('Bonjour.', 'Marie Dupont - État civil', 'short')).toBe('Bonjour.\nMarie Dupont - État civil');
    expect(
      smsSegments(signedBody('Bonjour, votre acte est disponible.', 'Marie Dupont, Agent - État civil - Ville', 'short'))
        .encoding,
    ).toBe('GSM-7');
    expect(signedBody('Bonjour.', '', 'full')).toBe('Bonjour.');
  });
});
