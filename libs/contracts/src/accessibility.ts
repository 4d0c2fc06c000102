import { z } from 'zod';
import { emailSchema } from './admin';
import { civilDateAt } from './deadlines';
import { addCalendarDays, addMonths, type CivilDate } from './french-holidays';

/**
 * The RGAA 4.1 accessibility statement of an organization (issue 16), after the DINUM model
 * (accessibilite.numerique.gouv.fr/obligations/declaration-accessibilite): its état de conformité,
 * the audit it rests on, the contents that are not accessible, when it was drawn up, the
 * multi-year scheme and this year's action plan, the contact to report a problem.
 */

export const CONFORMITY_LEVELS = ['total', 'partial', 'none'] as const;
export type ConformityLevel = (typeof CONFORMITY_LEVELS)[number];

/**
 * How long a statement stands. DINUM, « Validité de la déclaration d’accessibilité »
 * (accessibilite.numerique.gouv.fr/obligations/declaration-accessibilite): « La déclaration
 * d’accessibilité est valide à partir de sa date de publication. Elle doit être mise à jour : à la
 * date de modification substantielle ou de refonte du site concerné ; 3 ans après la date de
 * publication de la déclaration, ou, 18 mois après la date de publication d’une nouvelle version du
 * référentiel ». Only the 3 years are a date Guichet knows; they run from the statement's
 * publication (its last update, else its establishment), not from its audit's date.
 */
export const STATEMENT_VALIDITY_MONTHS = 36;

/** How early the admin is told the statement must be updated. */
export const STATEMENT_RENEWAL_NOTICE_DAYS = 90;

/** What the level rests on: the audit's rate and when the statement was published. */
export interface ConformityBasis {
  /** The audit's rate (%), null without an audit. */
  rate: number | null;
  /** The statement's publication: its last update, else its establishment; null without a statement. */
  publishedOn: CivilDate | null;
}

/** A statement's basis (null: none set). */
export function conformityBasis(
  s: { audit: { rate: number } | null; establishedOn: CivilDate; updatedOn: CivilDate | null } | null,
): ConformityBasis {
  return { rate: s?.audit?.rate ?? null, publishedOn: s ? (s.updatedOn ?? s.establishedOn) : null };
}

/**
 * Whether the statement still stands on `today`: `lapsed` from the day it should have been
 * updated (`dueOn`, 3 years after its publication), `due-soon` in the notice before it.
 */
export function statementValidity(
  publishedOn: CivilDate,
  today: CivilDate,
): { state: 'valid' | 'due-soon' | 'lapsed'; dueOn: CivilDate } {
  const dueOn = addMonths(publishedOn, STATEMENT_VALIDITY_MONTHS);
  const state = today >= dueOn ? 'lapsed' : addCalendarDays(today, STATEMENT_RENEWAL_NOTICE_DAYS) >= dueOn ? 'due-soon' : 'valid';
  return { state, dueOn };
}

/**
 * The RGAA rule (DINUM, « Contenu de la déclaration d’accessibilité »): totalement conforme when
 * every criterion is met (100 %), partiellement conforme from 50 %, non conforme below 50 % « ou
 * s’il n’existe aucun résultat d’audit en cours de validité »: without an audit, and once the
 * statement reporting it has lapsed (statementValidity) — the rules date no audit but through the
 * statement that publishes it.
 */
export function conformityLevel(b: ConformityBasis, today: CivilDate): ConformityLevel {
  if (b.rate === null || b.publishedOn === null || statementValidity(b.publishedOn, today).state === 'lapsed') return 'none';
  return b.rate >= 100 ? 'total' : b.rate >= 50 ? 'partial' : 'none';
}

/** The model's words for each level (« [site] est partiellement conforme avec le RGAA »). */
export const CONFORMITY_WORDS: Record<ConformityLevel, string> = {
  total: 'totalement conforme',
  partial: 'partiellement conforme',
  none: 'non conforme',
};

/** 77.5 → « 77,5 % ». */
export const formatRate = (rate: number) => `${String(rate).replace('.', ',')} %`;

const text = (max: number, what: string) =>
  z.string(`${what} : texte attendu`).trim().max(max, `${what} : ${max} caractères au plus`);
const required = (max: number, what: string) => text(max, what).min(1, `${what} : obligatoire`);
const lines = (what: string) =>
  z.array(required(500, what), `${what} : liste attendue`).max(100, `${what} : 100 éléments au plus`);
const date = (what: string) =>
  z.string(`${what} : date attendue`).regex(/^\d{4}-\d{2}-\d{2}$/, `${what} : date au format AAAA-MM-JJ`);
const url = (what: string) =>
  z
    .string(`${what} : adresse attendue`)
    .trim()
    .max(500, `${what} : 500 caractères au plus`)
    .regex(/^(https?:\/\/\S+)?$/, `${what} : adresse en http(s)://`);

const auditSchema = z.object({
  date: date('date de l’audit'),
  /** Who did it: the company, or the team of the organization. */
  auditor: required(200, 'auditeur'),
  /** Share of the RGAA criteria met, in %, one decimal at most. */
  rate: z
    .number('taux de conformité : nombre attendu')
    .min(0, 'taux de conformité : entre 0 et 100 %')
    .max(100, 'taux de conformité : entre 0 et 100 %')
    .refine((r) => Math.abs(Math.round(r * 10) - r * 10) < 1e-9, 'taux de conformité : un chiffre après la virgule au plus'),
  /** Pages or screens of the sample (free text, one per line). */
  sample: text(4000, 'pages auditées'),
  technologies: text(2000, 'technologies'),
  tools: text(2000, 'outils'),
  environment: text(2000, 'environnement de test'),
});

export const accessibilityStatementSchema = z
  .object({
    /** The declared level: it must be the one the audit's rate gives (conformityLevel). */
    level: z.enum(CONFORMITY_LEVELS, 'état de conformité : « total », « partial » ou « none »'),
    /** null: no audit was done (the statement is then « non conforme »). */
    audit: auditSchema.nullable(),
    nonCompliances: lines('non-conformité'),
    /** Dérogations pour charge disproportionnée, each with its reason. */
    derogations: z
      .array(z.object({ content: required(500, 'contenu en dérogation'), reason: required(1000, 'motif de la dérogation') }))
      .max(100, 'dérogations : 100 au plus'),
    /** Contenus non soumis à l’obligation d’accessibilité. */
    exemptions: lines('contenu non soumis à l’obligation'),
    establishedOn: date('date d’établissement'),
    updatedOn: date('date de mise à jour').nullable(),
    multiYearPlanUrl: url('schéma pluriannuel'),
    actionPlanUrl: url('plan d’actions'),
    /** Where to report a problem; each empty field falls back to the organization's details. */
    contact: z.object({
      email: emailSchema.or(z.literal('')),
      phone: text(40, 'téléphone de contact'),
      url: url('formulaire de contact'),
    }),
  })
  .superRefine((s, ctx) => {
    const today = civilDateAt(new Date());
    const rate = s.audit?.rate ?? null;
    // The level declared is the one the audit gave when the statement was published.
    const basis = conformityBasis(s);
    const expected = conformityLevel(basis, basis.publishedOn!);
    // A rate outside 0–100 % is refused on its own; the level is judged on a valid one.
    if (s.level !== expected && (rate === null || (rate >= 0 && rate <= 100))) {
      ctx.addIssue({
        code: 'custom',
        path: ['level'],
        message:
          rate === null
            ? 'sans audit de conformité, le guichet est « non conforme »'
            : `un taux de ${formatRate(rate)} correspond à « ${CONFORMITY_WORDS[expected]} »`,
      });
    }
    const future = (value: string | null | undefined, path: (string | number)[], what: string) => {
      if (value && value > today) ctx.addIssue({ code: 'custom', path, message: `${what} est dans le futur` });
    };
    future(s.audit?.date, ['audit', 'date'], 'la date de l’audit');
    future(s.establishedOn, ['establishedOn'], 'la date d’établissement');
    future(s.updatedOn, ['updatedOn'], 'la date de mise à jour');
    if (s.updatedOn && s.updatedOn < s.establishedOn) {
      ctx.addIssue({ code: 'custom', path: ['updatedOn'], message: 'la mise à jour précède l’établissement de la déclaration' });
    }
    if (s.audit && s.audit.date <= today && s.audit.date > (s.updatedOn ?? s.establishedOn)) {
      ctx.addIssue({
        code: 'custom',
        path: ['audit', 'date'],
        message: 'l’audit est postérieur à la déclaration : indiquez la date de sa mise à jour',
      });
    }
  });
export type AccessibilityStatement = z.output<typeof accessibilityStatementSchema>;
export type AccessibilityStatementInput = z.input<typeof accessibilityStatementSchema>;

/** `GET /organization/accessibility-statement`: null until an admin sets it (the page then says « non conforme »). */
export interface AccessibilityStatementDto {
  statement: AccessibilityStatement | null;
}
