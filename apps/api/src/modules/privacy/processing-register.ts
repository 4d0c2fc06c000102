import type { RetentionRuleDto } from '@guichet/contracts';
import { html } from '../../common/html';
import { durationText as duration } from '../public/statement-views';

/** What the register is generated from: the organization's configuration as it stands. */
export interface RegisterFacts {
  organization: { name: string; address: string; phone: string; email: string; website: string };
  teams: string[];
  /** Kinds of the enabled channels (email, sms, whatsapp, voice, messenger, instagram, webform, pbx). */
  channels: string[];
  rules: RetentionRuleDto[];
  auditRetentionMonths: number;
  /** Days after a municipal event ends before its registrants are anonymized. */
  eventRegistrationRetentionDays: number;
  /** Days a mail the import could not read stays in a mailbox's quarantine. */
  quarantineRetentionDays: number;
  /** The citizens' limitations (art. 18) and objections (art. 21): counts only. */
  restrictions: RegisterRestrictions;
  generatedAt: Date;
}

/** How many limitations and objections are in force, and how many were lifted (the register names no one). */
export interface RegisterRestrictions {
  limitationsInForce: number;
  objectionsInForce: number;
  lifted: number;
}

const day = (d: Date) => new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' }).format(d);
const count = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`;

/** One processing activity (a line of the register, RGPD art. 30.1). */
export interface RegisterEntry {
  activity: string;
  scope: string;
  purpose: string;
  legalBasis: string;
  persons: string;
  data: string;
  recipients: string;
  processors: string;
  transfers: string;
  retention: string;
  security: string;
}

const COLUMNS: [keyof RegisterEntry, string][] = [
  ['activity', 'Traitement'],
  ['scope', 'Périmètre (service, démarche)'],
  ['purpose', 'Finalité'],
  ['legalBasis', 'Base légale'],
  ['persons', 'Personnes concernées'],
  ['data', 'Catégories de données'],
  ['recipients', 'Destinataires'],
  ['processors', 'Sous-traitants'],
  ['transfers', 'Transferts hors Union européenne'],
  ['retention', 'Durée de conservation'],
  ['security', 'Mesures de sécurité'],
];

/** Providers the enabled channels hand citizens' data to (processors, art. 28), and where. */
const PROVIDERS: Record<string, { name: string; outsideEu: boolean }> = {
  sms: { name: 'Twilio (SMS)', outsideEu: true },
  voice: { name: 'Twilio (téléphonie)', outsideEu: true },
  whatsapp: { name: 'Meta Platforms (WhatsApp)', outsideEu: true },
  messenger: { name: 'Meta Platforms (Messenger)', outsideEu: true },
  instagram: { name: 'Meta Platforms (Instagram)', outsideEu: true },
  email: { name: 'Le prestataire de messagerie de la commune (courriel)', outsideEu: false },
};

const CHANNEL_DATA: Record<string, string> = {
  email: 'adresse électronique',
  webform: 'adresse électronique',
  sms: 'numéro de téléphone',
  voice: 'numéro de téléphone, enregistrements d’appels',
  pbx: 'numéro de téléphone, journal d’appels',
  whatsapp: 'numéro WhatsApp',
  messenger: 'identifiant Messenger',
  instagram: 'identifiant Instagram',
};

const SECURITY =
  'Accès réservé aux agents des services concernés (comptes nominatifs, sessions limitées), journal de chaque consultation et modification, connexions chiffrées (TLS), sauvegardes, anonymisation automatique à l’échéance';

/** The register's lines, from the configuration: one per retention rule, then the access log's. */
export function registerEntries(f: RegisterFacts): RegisterEntry[] {
  const kinds = [...new Set(f.channels)].sort();
  const providers = kinds.map((k) => PROVIDERS[k]).filter((p): p is { name: string; outsideEu: boolean } => !!p);
  const outside = providers.filter((p) => p.outsideEu);
  const contactData = [...new Set(kinds.map((k) => CHANNEL_DATA[k]).filter(Boolean))].join(', ');
  const common = {
    activity: 'Relation avec les usagers : demandes, réponses et suivi',
    persons: 'Usagers qui écrivent ou appellent la commune, et les personnes qu’ils mentionnent',
    data: `Nom ; coordonnées (${contactData || 'selon les canaux ouverts'}) ; messages, pièces jointes et notes ; dates, statut et service de la demande ; réponse à l’enquête de satisfaction`,
    processors: providers.length ? [...new Set(providers.map((p) => p.name))].join(' ; ') : 'Aucun',
    transfers: outside.length
      ? `Oui : ${[...new Set(outside.map((p) => p.name))].join(', ')} (États-Unis, clauses contractuelles types / Data Privacy Framework)`
      : 'Non',
    security: SECURITY,
  };
  const recipients = (team: string | null) =>
    team
      ? `Agents du service ${team} ; superviseurs et administrateurs de ${f.organization.name}`
      : `Agents des services (${f.teams.join(', ') || 'aucun service'}) ; superviseurs et administrateurs de ${f.organization.name}`;
  const entries: RegisterEntry[] = f.rules.length
    ? f.rules.map((r) => ({
        ...common,
        scope: `${r.teamName ?? 'Tous les services'}${r.requestTypeName ? ` — ${r.requestTypeName}` : r.teamName ? ' — toutes démarches' : ''}`,
        purpose: r.purpose,
        legalBasis: r.legalBasis,
        recipients: recipients(r.teamName),
        retention: `${duration(r.durationDays)} après la fin de la demande, puis ${r.action === 'delete' ? 'suppression' : 'anonymisation (statistiques conservées)'}`,
      }))
    : [
        {
          ...common,
          scope: 'Tous les services',
          purpose: 'Instruire les demandes des usagers et leur répondre',
          legalBasis: 'Mission d’intérêt public (RGPD art. 6.1.e)',
          recipients: recipients(null),
          retention: 'Non fixée : aucune règle de conservation n’est configurée (à définir dans Administration › Conservation)',
        },
      ];
  const r = f.restrictions;
  entries.push({
    activity: 'Exercice des droits des usagers (RGPD art. 15 à 21)',
    scope: 'Tous les services',
    purpose:
      'Répondre aux demandes d’accès, de rectification, d’effacement, de limitation et d’opposition dans le délai d’un mois (prolongeable de deux) ; appliquer les limitations (art. 18) et oppositions (art. 21) accordées',
    legalBasis: 'Obligation légale (RGPD art. 6.1.c et articles 12 à 21)',
    persons: 'Usagers qui exercent leurs droits',
    data: 'Nature et échéance de la demande ; pour chaque limitation ou opposition : type, date d’effet, motif, échéance annoncée, agent qui l’a accordée, date, agent et motif de la levée',
    recipients: `Superviseurs et administrateurs de ${f.organization.name} ; agents des services concernés (le dossier de l’usager l’indique)`,
    processors: 'Aucun',
    transfers: 'Non',
    retention: `Aussi longtemps que le dossier de l’usager ; une limitation ou opposition levée reste dans l’historique du dossier et figure dans l’export du droit d’accès. En vigueur au ${day(f.generatedAt)} : ${count(r.limitationsInForce, 'limitation', 'limitations')}, ${count(r.objectionsInForce, 'opposition', 'oppositions')} ; ${count(r.lifted, 'levée', 'levées')} depuis l’origine`,
    security:
      'Limitation : les données restent conservées sans autre traitement (ni message hors de la demande de droits et des demandes écrites depuis par l’usager, ni note, ni transfert, ni fusion ou annulation de fusion, ni enquête, ni rappel, ni anonymisation à l’échéance) ; accord et levée réservés aux superviseurs et journalisés, l’usager prévenu avant la levée',
  });
  entries.push({
    activity: 'Inscriptions aux événements municipaux',
    scope: 'Services organisant des événements',
    purpose: 'Gérer les places, la liste d’attente, les rappels et le pointage des présents',
    legalBasis: 'Mission d’intérêt public (RGPD art. 6.1.e) ; consentement pour les rappels',
    persons: 'Usagers inscrits',
    data: 'Nom, courriel ou téléphone, nombre de places, réponses aux questions de l’inscription, présence',
    recipients: `Agents du service organisateur de ${f.organization.name}`,
    processors: 'Aucun',
    transfers: 'Non',
    retention: `${duration(f.eventRegistrationRetentionDays)} après l’événement, puis anonymisation (places, statut et présence conservés pour les statistiques) ; celles d’un usager dont le traitement est limité (art. 18) sont conservées en l’état jusqu’à la levée`,
    security: 'Accès réservé aux agents du service ; anonymisation automatique et journalisée',
  });
  entries.push({
    activity: 'Journal des accès aux dossiers des usagers',
    scope: 'Toute l’application',
    purpose: 'Sécurité et traçabilité : savoir qui a consulté ou modifié quel dossier, et quand',
    legalBasis: 'Obligation de sécurité du traitement (RGPD art. 32) ; mission d’intérêt public',
    persons: 'Agents de la commune ; usagers dont le dossier est consulté',
    data: 'Identité de l’agent, action, date et heure, dossier concerné, adresse IP et session de l’agent',
    recipients: `Superviseurs et administrateurs de ${f.organization.name}`,
    processors: 'Aucun',
    transfers: 'Non',
    retention: `${f.auditRetentionMonths} mois, puis suppression`,
    security: 'Journal non modifiable depuis l’application ; consultation réservée aux superviseurs et administrateurs',
  });
  if (f.channels.includes('email'))
    entries.push({
      activity: 'Quarantaine des courriels illisibles',
      scope: 'Boîtes aux lettres relevées par Guichet',
      purpose: 'Conserver un courriel que l’import n’a pas pu lire, pour le réimporter après correction',
      legalBasis: 'Mission d’intérêt public (RGPD art. 6.1.e) : ne perdre aucune demande adressée à la commune',
      persons: 'Usagers et autres expéditeurs de courriels',
      data: 'Source complète du courriel (en-têtes, texte, pièces jointes), adresses de l’expéditeur',
      recipients: `Administrateurs de ${f.organization.name}`,
      processors: 'Aucun',
      transfers: 'Non',
      retention: `${duration(f.quarantineRetentionDays)} au plus, puis suppression ; supprimé aussitôt écarté, réimporté ou à l’effacement des données de l’expéditeur`,
      security: 'Accès réservé aux administrateurs ; chaque téléchargement, réimport et suppression est journalisé',
    });
  if (f.channels.includes('email'))
    entries.push({
      activity: 'Rapports de remise sans message correspondant',
      scope: 'Boîtes aux lettres relevées par Guichet',
      purpose: 'Montrer au service les avis de non-remise ou de remise qui ne concernent aucun message envoyé par Guichet',
      legalBasis: 'Mission d’intérêt public (RGPD art. 6.1.e) : savoir qu’un courriel de la commune n’est pas parvenu',
      persons: 'Destinataires des courriels de la commune',
      data: 'Source complète du rapport, dont l’adresse du destinataire et le diagnostic du serveur distant',
      recipients: `Agents du service de la boîte, superviseurs et administrateurs de ${f.organization.name}`,
      processors: 'Aucun',
      transfers: 'Non',
      retention: `${duration(f.quarantineRetentionDays)} au plus, puis suppression ; supprimé à l’effacement des données de l’usager dont il cite l’adresse`,
      security: 'Consultation réservée aux agents du service de la boîte, aux superviseurs et aux administrateurs',
    });
  return entries;
}

/** The register as a standalone French HTML page (printable). */
export function registerHtml(f: RegisterFacts): string {
  const o = f.organization;
  const entries = registerEntries(f);
  return html`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Registre des activités de traitement — ${o.name}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;line-height:1.4;color:#161616}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #929292;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eee}caption{text-align:left;font-weight:bold;margin-bottom:.5rem}</style>
</head>
<body>
<h1>Registre des activités de traitement</h1>
<p>Article 30 du règlement général sur la protection des données. Généré par Guichet le ${day(f.generatedAt)} à partir de la configuration (règles de conservation, services, canaux).</p>
<h2>Responsable du traitement</h2>
<dl><dt>Organisme</dt><dd>${o.name}</dd><dt>Adresse</dt><dd>${o.address || '—'}</dd><dt>Téléphone</dt><dd>${o.phone || '—'}</dd><dt>Courriel</dt><dd>${o.email || '—'}</dd><dt>Site</dt><dd>${o.website || '—'}</dd></dl>
<table>
<caption>Activités de traitement (${entries.length})</caption>
<thead><tr>${COLUMNS.map(([, label]) => html`<th scope="col">${label}</th>`)}</tr></thead>
<tbody>${entries.map((e) => html`<tr>${COLUMNS.map(([key]) => html`<td>${e[key]}</td>`)}</tr>`)}</tbody>
</table>
</body>
</html>
`.value;
}

/** A CSV cell: quoted, quotes doubled, formulas defused (a leading =, +, -, @ opens as text). */
function cell(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${text.replace(/"/g, '""')}"`;
}

/** The register as CSV for a spreadsheet (semicolons and a BOM: what LibreOffice and Excel in French open as is). */
export function registerCsv(f: RegisterFacts): string {
  const lines = [COLUMNS.map(([, label]) => cell(label)).join(';')];
  for (const e of registerEntries(f)) lines.push(COLUMNS.map(([key]) => cell(e[key])).join(';'));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
