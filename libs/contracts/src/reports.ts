import { z } from 'zod';
import { CHANNEL_KINDS, type ChannelKind } from './enums';

/** The Services Publics+ question (engagement 6), asked word for word. */
export const SATISFACTION_QUESTION = 'Globalement, êtes-vous satisfait de la qualité de service ?';

/** Per service: no survey, one at resolution, or one `delayHours` after it. */
export const SATISFACTION_MODES = ['off', 'on', 'delay'] as const;
export type SatisfactionMode = (typeof SATISFACTION_MODES)[number];

export const satisfactionSettingsSchema = z.object({
  mode: z.enum(SATISFACTION_MODES),
  delayHours: z.number().int().min(1).max(720).default(24),
});
export type SatisfactionSettingsInput = z.infer<typeof satisfactionSettingsSchema>;
export interface SatisfactionSettingsDto {
  teamId: string;
  mode: SatisfactionMode;
  delayHours: number;
}

/** What the citizen posts through the signed link. */
export const satisfactionAnswerSchema = z.object({
  // A form posts text ("7"); JSON may send a number. Nothing else (an empty or null score is no 0).
  score: z
    .preprocess(
      (v) => (typeof v === 'string' && /^\s*\d{1,3}\s*$/.test(v) ? Number(v) : v),
      z.number('choisissez une note de 0 à 10'),
    )
    .pipe(
      z.number().int('la note est un nombre entier de 0 à 10').min(0, 'la note va de 0 à 10').max(10, 'la note va de 0 à 10'),
    ),
  comment: z
    .string('texte attendu')
    .trim()
    .max(2000, 'le commentaire fait au plus 2 000 caractères')
    .optional()
    .transform((v) => v || undefined),
});
export type SatisfactionAnswerInput = z.infer<typeof satisfactionAnswerSchema>;

/**
 * Durations are kept as histograms of minutes (rounded up): one bucket per minute below 2 hours,
 * per 15 minutes below 2 days, per hour below 60 days, per day beyond. A bucket is named by its
 * upper bound in minutes; medians and percentiles are the bucket holding the nearest rank, so
 * they are exact to the minute below 2 hours.
 */
export function durationBucket(minutes: number): number {
  const m = Math.max(0, Math.ceil(minutes));
  if (m <= 120) return m;
  if (m <= 2880) return Math.ceil(m / 15) * 15;
  if (m <= 86400) return Math.ceil(m / 60) * 60;
  return Math.ceil(m / 1440) * 1440;
}

/** Nearest-rank percentile (`p` in 0–1) over a histogram of buckets, null when empty. */
export function histogramPercentile(buckets: ReadonlyArray<{ bucket: number; n: number }>, p: number): number | null {
  const sorted = [...buckets].filter((b) => b.n > 0).sort((a, b) => a.bucket - b.bucket);
  const total = sorted.reduce((s, b) => s + b.n, 0);
  if (!total) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const b of sorted) {
    seen += b.n;
    if (seen >= rank) return b.bucket;
  }
  return sorted[sorted.length - 1]!.bucket;
}

/**
 * The series a period is drawn in when none is asked: one point per day up to 62 days, per ISO
 * week up to 190 days (a quarter, a half-year), per month beyond (a year is twelve points).
 */
export function defaultGranularity(from: string, to: string): ReportGranularity {
  const days = Math.round((Date.parse(to) - Date.parse(from)) / 86400_000) + 1;
  return days <= 62 ? 'day' : days <= 190 ? 'week' : 'month';
}

const day = z.iso.date({ message: 'date attendue au format AAAA-MM-JJ' });

export const REPORT_GRANULARITIES = ['day', 'week', 'month'] as const;
export type ReportGranularity = (typeof REPORT_GRANULARITIES)[number];

/**
 * The filters every report takes: a period of days (Europe/Paris, both included), optionally one
 * service, one channel of origin and one démarche.
 */
export const reportQuerySchema = z
  .object({
    from: day,
    to: day,
    teamId: z.uuid({ message: 'identifiant de service invalide' }).optional(),
    /** The channel the citizen first wrote on (calls: the telephone line). */
    channel: z.enum([...CHANNEL_KINDS, 'unknown'], { message: 'canal inconnu' }).optional(),
    requestTypeId: z.uuid({ message: 'identifiant de démarche invalide' }).optional(),
    /** Files carrying this label (calls are not labelled: telephone figures are 0 with a label). */
    labelId: z.uuid({ message: 'identifiant d’étiquette invalide' }).optional(),
    /** Absent: by day up to two months, by ISO week up to six months, by month beyond (defaultGranularity). */
    granularity: z.enum(REPORT_GRANULARITIES).optional(),
    /** `csv`: one table (`table`, the first by default); `xlsx`: every table of the report, one sheet each. */
    format: z.enum(['json', 'csv', 'xlsx'], { message: 'format : json, csv ou xlsx' }).default('json'),
    /** With `format=csv`: which table of the report. */
    table: z.string().max(40).optional(),
  })
  .refine((q) => q.from <= q.to, { message: 'la date de début doit précéder la date de fin', path: ['from'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 3 * 366 * 86400_000, {
    message: 'la période fait au plus trois ans',
    path: ['to'],
  })
  .transform((q) => ({ ...q, granularity: q.granularity ?? defaultGranularity(q.from, q.to) }));
export type ReportQuery = z.infer<typeof reportQuerySchema>;

export const indicatorsQuerySchema = z.object({
  year: z.coerce.number().int('année attendue').min(2000, 'année invalide').max(2100, 'année invalide'),
  quarter: z.coerce.number().int().min(1, 'trimestre de 1 à 4').max(4, 'trimestre de 1 à 4').optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
export type IndicatorsQuery = z.infer<typeof indicatorsQuerySchema>;

/** How fresh a report is: every report says it. */
export interface ReportFreshness {
  /**
   * The report counts every change committed before this time (ISO 8601): the aggregates are
   * folded in every few seconds, not as each change happens. Null before their first fold.
   */
  asOf: string | null;
}

/**
 * One service's figures over time: a row per period of the report's `series` (the same periods,
 * those without activity included), for the per-service charts and their CSV tables.
 */
export interface TeamSeries<R> {
  teamId: string;
  teamName: string;
  series: Array<R & { period: string }>;
}

export interface VolumeRow {
  created: number;
  reopened: number;
  resolved: number;
}

export interface VolumesReportDto extends ReportFreshness {
  from: string;
  to: string;
  granularity: ReportGranularity;
  totals: VolumeRow;
  /** One row per period (the first day of the day/ISO week/month), periods without activity included. */
  series: Array<VolumeRow & { period: string }>;
  byChannel: Array<VolumeRow & { channelKind: ChannelKind | 'unknown' }>;
  byTeam: Array<VolumeRow & { teamId: string; teamName: string }>;
  byRequestType: Array<VolumeRow & { requestTypeId: string | null; requestTypeName: string }>;
  /** The same figures over the period just before (as many whole months, or else days): the comparison. */
  previous: { from: string; to: string; totals: VolumeRow };
  /**
   * Files open at the end of the period: created by then and not resolved or closed by then, as
   * the files stand now (a file reopened since counts as open from its creation), per service too.
   */
  backlog: {
    atEnd: number;
    previousAtEnd: number;
    byTeam: Array<{ teamId: string; teamName: string; open: number }>;
    /** The backlog over time: files open at the end of each period of `series` (the last one's is `atEnd`). */
    series: Array<{ period: string; open: number }>;
    /**
     * The backlog over time per service (alphabetical): every service with files open when the
     * period began or with activity during it, its `series` over the same periods (they add up
     * to `series`; the last one's is the service's `byTeam` figure).
     */
    byTeamSeries: Array<TeamSeries<{ open: number }>>;
  };
}

export interface DurationStatsDto {
  count: number;
  /** Minutes (calendar time), nearest rank over the histogram. */
  medianMinutes: number | null;
  p90Minutes: number | null;
}

/**
 * Calendar durations and the same durations counted in the service's opening hours (its opening
 * days and times, French public holidays closed): what the citizen waited while the service was open.
 */
export type DurationPairDto = DurationStatsDto & { openingHours: DurationStatsDto };

export interface ResponseTimesReportDto extends ReportFreshness {
  from: string;
  to: string;
  firstResponse: DurationPairDto & {
    /** First responses of files that had a response target, and those given by it. */
    withTarget: number;
    onTime: number;
    onTimeShare: number | null;
  };
  resolution: DurationPairDto;
  /**
   * Files resolved in the period that had a legal decision date (their démarche's, CRPA L231-1 /
   * L231-4), and those resolved by it: the share handled within the legal deadline.
   */
  legalDeadline: { resolved: number; onTime: number; onTimeShare: number | null };
  /** The same totals over the period just before (as volumes': whole months, or else days). */
  previous: { from: string; to: string } & Pick<ResponseTimesReportDto, 'firstResponse' | 'resolution' | 'legalDeadline'>;
  byTeam: Array<{
    teamId: string;
    teamName: string;
    firstResponse: DurationPairDto;
    resolution: DurationPairDto;
    legalDeadline: ResponseTimesReportDto['legalDeadline'];
  }>;
  /**
   * Per channel the citizen first wrote on (letters registered at the town hall included), the
   * Services Publics+ engagement 5 figures: first responses given by the target announced for
   * that channel (DEFAULT_RESPONSE_TARGETS, or the service's own), and files resolved within
   * their legal deadline. Channels with neither are left out; most answers first.
   */
  byChannel: ChannelDeadlineRow[];
  /** Files overdue now (whatever the period): still in progress and past a due date, per service too. */
  overdue: OverdueRow & { at: string; byTeam: Array<OverdueRow & { teamId: string; teamName: string }> };
}

/** One channel's line of the response-times report (`byChannel`). */
export interface ChannelDeadlineRow {
  channelKind: ChannelKind | 'unknown';
  firstResponse: { withTarget: number; onTime: number; onTimeShare: number | null };
  legalDeadline: ResponseTimesReportDto['legalDeadline'];
}

/**
 * Files still in progress (open, pending, snoozed) past a due date at `at`: the legal decision
 * date (CRPA L231-1 / L231-4), or the service's announced response target before any answer. A
 * file past both counts once in `total` and in each of `decision` and `response`.
 */
export interface OverdueRow {
  total: number;
  decision: number;
  response: number;
}

export interface TelephoneRow {
  received: number;
  answered: number;
  missed: number;
  calledBack: number;
  /** answered / received, 0–1 (the Services Publics+ indicator). */
  answeredShare: number | null;
  averageCallbackMinutes: number | null;
}

export interface TelephoneReportDto extends ReportFreshness {
  from: string;
  to: string;
  granularity: ReportGranularity;
  totals: TelephoneRow;
  /** The same totals over the period just before (the comparison). */
  previous: { from: string; to: string; totals: TelephoneRow };
  /** One row per period (the first day of the day/ISO week/month), periods without calls included. */
  series: Array<TelephoneRow & { period: string }>;
  /** The services that received calls in the period (alphabetical). */
  byTeam: Array<TelephoneRow & { teamId: string; teamName: string }>;
  /** The same services over time, over the periods of `series` (they add up to it). */
  byTeamSeries: Array<TeamSeries<TelephoneRow>>;
}

export interface SatisfactionRow {
  answers: number;
  average: number | null;
  /** Answers scoring 8, 9 or 10, over all answers. */
  shareAtLeast8: number | null;
  /**
   * Net satisfaction, in points from -100 to 100: the share of answers 9–10 minus the share of
   * answers 0–6 (the usual « net » score on a 0–10 scale).
   */
  netSatisfaction: number | null;
}

/**
 * A citizen's comment as supervisors read it in the report: the score, the service and the day,
 * never who wrote it; `conversationId` opens the file (that view is audited).
 */
export interface SatisfactionCommentDto {
  answeredAt: string;
  score: number;
  comment: string;
  teamId: string;
  teamName: string;
  conversationId: string;
}

/** At most this many comments in a report (the newest). */
export const SATISFACTION_COMMENTS_LIMIT = 200;

export interface SatisfactionReportDto extends ReportFreshness {
  from: string;
  to: string;
  granularity: ReportGranularity;
  totals: SatisfactionRow & { distribution: number[] };
  /** The same totals over the period just before (the comparison). */
  previous: { from: string; to: string; totals: SatisfactionRow };
  /** One row per period (the first day of the day/ISO week/month) of the answers given then, periods without answers included. */
  series: Array<SatisfactionRow & { period: string }>;
  /** The services with answers in the period (alphabetical). */
  byTeam: Array<SatisfactionRow & { teamId: string; teamName: string }>;
  /** The same services over time, over the periods of `series`. */
  byTeamSeries: Array<TeamSeries<SatisfactionRow>>;
  comments: SatisfactionCommentDto[];
}

/** One agent's work over the period (supervisors: the agents of their services). */
export interface AgentWorkloadRow {
  agentId: string;
  agentName: string;
  /** Files resolved or closed while assigned to the agent. */
  handled: number;
  /** Files whose first answer the agent wrote. */
  firstResponses: number;
  /** Median time to those first answers, calendar and in opening hours (minutes). */
  firstResponseMedianMinutes: number | null;
  firstResponseMedianOpeningMinutes: number | null;
}

/**
 * Per-agent figures, presented as workload, not a ranking: agents in alphabetical order, with
 * their load (files handled and first answers) per period.
 */
export interface AgentsReportDto extends ReportFreshness {
  from: string;
  to: string;
  granularity: ReportGranularity;
  agents: AgentWorkloadRow[];
  /** One row per period and agent, periods without activity included (agents in the order of `agents`). */
  series: Array<{ period: string; agentId: string; handled: number; firstResponses: number }>;
}

/** Counts below this are published as null (statistical secrecy: no citizen singled out). */
export const OPEN_DATA_MIN_COUNT = 5;

/** The secrecy rule of the open data, as the schema and the catalogue state it. */
export const OPEN_DATA_SECRECY_RULE =
  `Secret statistique : un chiffre qui porte sur 1 à ${OPEN_DATA_MIN_COUNT - 1} demandes, appels ou avis est laissé vide, ` +
  'avec tout ce qui en est calculé (taux, moyenne, médiane). Quand un seul service est masqué, ou que les services masqués ' +
  `portent ensemble sur moins de ${OPEN_DATA_MIN_COUNT} personnes, le plus petit autre service l’est aussi, pour que la ligne ` +
  '« Ensemble » ne permette pas de le retrouver par soustraction. En publication trimestrielle, une année masque ce que ' +
  'l’un de ses trimestres a masqué. Seules les périodes terminées sont publiées.';

/** One service's line of the open-data export (Services Publics+ « export-indicateurs » shape). */
export interface IndicatorRow {
  annee: number;
  trimestre: number | null;
  service: string;
  /** Requests received in the period. */
  demandes_recues: number | null;
  appels_recus: number | null;
  /** Share of calls answered by an agent, 0–100. */
  taux_appels_decroches: number | null;
  /** Share of files answered within the announced deadline, 0–100. */
  taux_reponses_dans_les_delais: number | null;
  delai_mediane_premiere_reponse_heures: number | null;
  avis_recus: number | null;
  /** Average answer to the Services Publics+ question, 0–10. */
  satisfaction_moyenne: number | null;
  /** Share of answers 8/10 or more, 0–100. */
  taux_satisfaction_8_sur_10: number | null;
}

export interface IndicatorsDto {
  organisation: string;
  annee: number;
  trimestre: number | null;
  question_satisfaction: string;
  seuil_secret_statistique: number;
  indicateurs: IndicatorRow[];
}

/**
 * The figures of a line that stand on the same people, withheld together: when a family's
 * population (requests, incoming calls, first responses with a target, first responses, answers
 * to the survey) is 1 to OPEN_DATA_MIN_COUNT - 1, every figure of the family is null.
 */
export const INDICATOR_FAMILIES = {
  demandes: ['demandes_recues'],
  appels: ['appels_recus', 'taux_appels_decroches'],
  delais: ['taux_reponses_dans_les_delais'],
  premiere_reponse: ['delai_mediane_premiere_reponse_heures'],
  avis: ['avis_recus', 'satisfaction_moyenne', 'taux_satisfaction_8_sur_10'],
} as const satisfies Record<string, ReadonlyArray<keyof IndicatorRow>>;
export type IndicatorFamily = keyof typeof INDICATOR_FAMILIES;

/** The open-data CSV's columns, in order (the JSON uses the same names). */
export const INDICATOR_COLUMNS = [
  'annee',
  'trimestre',
  'service',
  'demandes_recues',
  'appels_recus',
  'taux_appels_decroches',
  'taux_reponses_dans_les_delais',
  'delai_mediane_premiere_reponse_heures',
  'avis_recus',
  'satisfaction_moyenne',
  'taux_satisfaction_8_sur_10',
] as const satisfies ReadonlyArray<keyof IndicatorRow>;

/** CSV for spreadsheets in French locales: `;` separated, quoted when needed, a BOM for Excel. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  return '\ufeff' + csvLines([header, ...rows]);
}

/** CSV lines without the BOM (what `toCsv` writes after it): a long export streams them page by page. */
export function csvLines(rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  const cell = (v: string | number | null | undefined) => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'number' ? String(v).replace('.', ',') : v;
    // A leading = + - @ would be read as a formula by spreadsheets.
    const safe = /^[=+\-@]/.test(s) && typeof v !== 'number' ? `'${s}` : s;
    return /[;"\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return rows.map((r) => r.map(cell).join(';') + '\r\n').join('');
}

/** Where an organization publishes its open data (a catalogue of the files, no login). */
export const openDataPath = (slug: string) => `/api/v1/public/organizations/${encodeURIComponent(slug)}/open-data`;
/** The Table Schema of the indicator files (one for every organization). */
export const OPEN_DATA_SCHEMA_PATH = '/api/v1/public/open-data/indicateurs.schema.json';

/** The CSV as written by toCsv: `;` separated, decimal comma, UTF-8 with a BOM (Frictionless CSV dialect). */
export const INDICATORS_CSV_DIALECT = { delimiter: ';', quoteChar: '"', doubleQuote: true, lineTerminator: '\r\n', header: true };

/** A published file of the catalogue. */
export interface OpenDataResourceDto {
  annee: number;
  trimestre: number | null;
  csv: string;
  json: string;
}

/** The public catalogue of an organization's open data (`GET openDataPath(slug)`). */
export interface OpenDataCatalogDto {
  organisation: string;
  titre: string;
  publication: 'yearly' | 'quarterly';
  licence: { nom: string; url: string };
  schema: string;
  dialecte_csv: typeof INDICATORS_CSV_DIALECT;
  encodage: 'utf-8';
  seuil_secret_statistique: number;
  regle_secret_statistique: string;
  question_satisfaction: string;
  /** Closed periods only, newest first. */
  ressources: OpenDataResourceDto[];
}

const count = (name: keyof IndicatorRow, title: string, description: string) => ({
  name,
  title,
  description: `${description} Vide : secret statistique (moins de ${OPEN_DATA_MIN_COUNT}).`,
  type: 'integer',
  constraints: { minimum: 0 },
});
const rate = (name: keyof IndicatorRow, title: string, description: string) => ({
  name,
  title,
  description: `${description} En pourcentage, de 0 à 100, à 0,1 près. Vide : sans objet ou secret statistique.`,
  type: 'number',
  decimalChar: ',',
  constraints: { minimum: 0, maximum: 100 },
});

/**
 * The Table Schema (Frictionless, as on schema.data.gouv.fr) of the indicator files: one line per
 * service and one for the whole organization, no personal data. Committed as
 * docs/open-data/indicateurs.schema.json (a test keeps both equal).
 */
export const INDICATORS_TABLE_SCHEMA = {
  $schema: 'https://frictionlessdata.io/schemas/table-schema.json',
  name: 'guichet-indicateurs-services-publics-plus',
  title: 'Indicateurs de qualité de service d’une collectivité (Services Publics+, engagement 6)',
  description:
    'Résultats publiés par une mairie avec Guichet, par service et pour l’ensemble, sur une année ou un trimestre : ' +
    'demandes reçues, appels reçus et part décrochée, part des réponses dans les délais annoncés, délai médian de ' +
    'première réponse, avis des usagers à la question « ' +
    SATISFACTION_QUESTION +
    ' » (0 à 10). Aucune donnée personnelle. ' +
    OPEN_DATA_SECRECY_RULE +
    ' CSV séparé par des points-virgules, virgule décimale, UTF-8.',
  version: '1.0.0',
  created: '2026-12-01',
  lastModified: '2026-12-01',
  countryCode: 'FR',
  licenses: [
    {
      name: 'etalab-2.0',
      title: 'Licence Ouverte / Open Licence version 2.0',
      path: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/',
    },
  ],
  missingValues: [''],
  fields: [
    {
      name: 'annee',
      title: 'Année',
      description: 'Année civile des chiffres (Europe/Paris).',
      type: 'integer',
      constraints: { required: true, minimum: 2000, maximum: 2100 },
    },
    {
      name: 'trimestre',
      title: 'Trimestre',
      description: 'Trimestre civil (1 à 4) ; vide pour l’année entière.',
      type: 'integer',
      constraints: { minimum: 1, maximum: 4 },
    },
    {
      name: 'service',
      title: 'Service',
      description: 'Le service municipal, ou « Ensemble des services » pour la collectivité entière.',
      type: 'string',
      constraints: { required: true, maxLength: 200 },
    },
    count('demandes_recues', 'Demandes reçues', 'Demandes (dossiers) ouvertes dans la période, tous canaux.'),
    count('appels_recus', 'Appels reçus', 'Appels téléphoniques entrants (Twilio, standard), hors appels notés à la main.'),
    rate(
      'taux_appels_decroches',
      'Taux d’appels décrochés',
      'Appels décrochés par un agent sur appels reçus (objectif national : 85 %).',
    ),
    rate(
      'taux_reponses_dans_les_delais',
      'Taux de réponses dans les délais',
      'Premières réponses données avant l’échéance annoncée, sur les premières réponses des demandes qui avaient une échéance.',
    ),
    {
      name: 'delai_mediane_premiere_reponse_heures',
      title: 'Délai médian de première réponse (heures)',
      description:
        'Médiane du temps calendaire entre la demande et la première réponse d’un agent, en heures, à 0,1 près. ' +
        `Vide : sans objet ou secret statistique (moins de ${OPEN_DATA_MIN_COUNT} réponses).`,
      type: 'number',
      decimalChar: ',',
      constraints: { minimum: 0 },
    },
    count('avis_recus', 'Avis reçus', 'Réponses des usagers à l’enquête de satisfaction.'),
    {
      name: 'satisfaction_moyenne',
      title: 'Satisfaction moyenne (sur 10)',
      description: `Note moyenne à la question « ${SATISFACTION_QUESTION} », de 0 à 10, à 0,01 près. Vide : sans objet ou secret statistique.`,
      type: 'number',
      decimalChar: ',',
      constraints: { minimum: 0, maximum: 10 },
    },
    rate('taux_satisfaction_8_sur_10', 'Taux de satisfaction (8/10 ou plus)', 'Avis notés 8, 9 ou 10 sur l’ensemble des avis.'),
  ],
} as const;
