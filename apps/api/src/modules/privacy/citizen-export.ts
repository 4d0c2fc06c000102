import { strToU8, zipSync, type Zippable } from 'fflate';
import { AUDIT_ACTION_LABELS, type ProcessingRestrictionDto } from '@guichet/contracts';
import { html } from '../../common/html';
import type {
  FileAttachment,
  FileContact,
  FileConversation,
  FileIdentity,
  FileMessage,
  FileSatisfaction,
  FileView,
} from './citizen-file.repository';

export interface CitizenFile {
  organization: string;
  generatedAt: Date;
  contact: FileContact;
  identities: FileIdentity[];
  conversations: FileConversation[];
  messages: FileMessage[];
  attachments: FileAttachment[];
  /** Their answers to the satisfaction surveys (one per conversation at most). */
  satisfaction: FileSatisfaction[];
  views: FileView[];
  /** Their limitations (art. 18) and objections (art. 21), in force and lifted. */
  restrictions: ProcessingRestrictionDto[];
}

const RESTRICTION: Record<string, string> = {
  limitation: 'Limitation du traitement (article 18)',
  objection: 'Opposition (article 21)',
};

const day = (d: string | null) =>
  d ? new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' }).format(new Date(d)) : '—';

const KIND: Record<string, string> = {
  email: 'Adresse e-mail',
  phone: 'Téléphone',
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  instagram: 'Instagram',
};
const MESSAGE_KIND: Record<string, string> = { message: 'Message', note: 'Note interne', call: 'Appel', event: 'Événement' };
const ACTION: Record<string, string> = {
  'contact.viewed': 'a consulté la fiche',
  'conversation.viewed': 'a ouvert la demande',
  'conversation.messages_read': 'a lu les messages',
  'attachment.downloaded': 'a téléchargé une pièce jointe',
  'contact.exported': 'a exporté les données',
  'contact.identity_added': 'a ajouté une coordonnée',
  'contact.identity_removed': 'a retiré une coordonnée',
  'conversation.updated': 'a modifié la demande',
  'conversation.replied': 'a répondu',
  'conversation.noted': 'a ajouté une note',
  'conversation.call_logged': 'a noté un appel',
  'conversation.legal_hold_set': 'a placé la demande en conservation légale',
  'conversation.legal_hold_lifted': 'a levé la conservation légale',
  'conversation.anonymized': 'demande anonymisée',
  'conversation.deleted': 'demande supprimée',
};

/** The export's words for an action, else the audit viewer's French name, lower-cased (« a fusionné deux fiches »). */
function actionText(action: string): string {
  if (Object.hasOwn(ACTION, action)) return ACTION[action]!;
  const labels: Record<string, string> = AUDIT_ACTION_LABELS.fr;
  const label = Object.hasOwn(labels, action) ? labels[action]! : action;
  return label.charAt(0).toLowerCase() + label.slice(1);
}

const when = (d: Date | null) =>
  d ? new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(d) : '—';

/** A file name safe in any archive tool: no path, no control characters, at most 100 characters. */
function safeName(name: string): string {
  const cleaned = name
    .replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '_')
    .replace(/^\.+/, '_')
    .trim();
  return (cleaned || 'fichier').slice(-100);
}

/** Where each attachment goes in the archive. */
export function attachmentPaths(f: CitizenFile): Map<string, string> {
  const refOf = new Map(f.conversations.map((c) => [c.id, c.reference]));
  return new Map(
    f.attachments.map((a, i) => [
      a.id,
      `pieces-jointes/${refOf.get(a.conversation_id) ?? 'autre'}/${i + 1}-${safeName(a.file_name)}`,
    ]),
  );
}

/** The machine-readable part (portability): everything, with ISO dates. */
export function exportJson(f: CitizenFile): string {
  const paths = attachmentPaths(f);
  const refOf = new Map(f.conversations.map((c) => [c.id, c.reference]));
  return JSON.stringify(
    {
      organisation: f.organization,
      genereLe: f.generatedAt.toISOString(),
      citoyen: { id: f.contact.id, nom: f.contact.name, connuDepuis: f.contact.created_at, anonymiseLe: f.contact.anonymized_at },
      coordonnees: f.identities.map((i) => ({
        type: i.kind,
        valeur: i.value,
        ajouteeLe: i.created_at,
        desinscriteLe: i.opted_out_at,
      })),
      demandes: f.conversations.map((c) => ({
        id: c.id,
        reference: c.reference,
        objet: c.subject,
        nomIndique: c.citizen_name,
        service: c.team,
        demarche: c.request_type,
        statut: c.status,
        creeeLe: c.created_at,
        resolueLe: c.resolved_at,
        decisionAttendueLe: c.decision_due_at,
        reponseAttendueLe: c.response_due_at,
        conservationLegale: c.legal_hold_reason,
        avisSatisfaction:
          f.satisfaction
            .filter((a) => a.conversation_id === c.id)
            .map((a) => ({ note: a.score, sur: 10, commentaire: a.comment, date: a.answered_at }))[0] ?? null,
        messages: f.messages
          .filter((m) => m.conversation_id === c.id)
          .map((m) => ({
            id: m.id,
            sens: m.direction === 'inbound' ? 'reçu' : 'envoyé',
            type: m.kind,
            canal: m.channel_kind,
            auteur: m.author,
            texte: m.body,
            etat: m.status,
            appel: m.call,
            date: m.created_at,
            piecesJointes: f.attachments
              .filter((a) => a.message_id === m.id)
              .map((a) => ({ nom: a.file_name, type: a.content_type, taille: a.size, fichier: paths.get(a.id) })),
          })),
      })),
      restrictionsDuTraitement: f.restrictions.map((r) => ({
        type: r.kind,
        depuisLe: r.grantedAt,
        motif: r.reason,
        jusquAu: r.until,
        accordeePar: r.grantedBy?.name ?? null,
        demande: r.conversationId ? (refOf.get(r.conversationId) ?? null) : null,
        leveeLe: r.liftedAt,
        leveePar: r.liftedBy?.name ?? null,
        motifLevee: r.liftReason,
      })),
      consultations: f.views.map((v) => ({ action: v.action, agent: v.agent, date: v.created_at, demande: v.conversation_id })),
    },
    null,
    2,
  );
}

/** The readable part: one HTML page, in French, that opens offline in any browser. */
export function exportHtml(f: CitizenFile): string {
  const paths = attachmentPaths(f);
  const refOf = new Map(f.conversations.map((c) => [c.id, c.reference]));
  const page = html`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Vos données personnelles — ${f.organization}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#161616}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #929292;padding:.25rem .5rem;text-align:left;vertical-align:top}
.message{border-left:4px solid #000091;padding:.25rem .75rem;margin:.75rem 0;white-space:pre-wrap}.meta{color:#3a3a3a;font-size:.9em}</style>
</head>
<body>
<h1>Vos données personnelles détenues par ${f.organization}</h1>
<p>Export établi le ${when(f.generatedAt)} au titre du droit d’accès (articles 15 et 20 du RGPD). Le fichier <code>donnees.json</code> contient les mêmes informations dans un format réutilisable.</p>
<h2>Identité</h2>
<dl><dt>Nom</dt><dd>${f.contact.name ?? '—'}</dd><dt>Connu depuis le</dt><dd>${when(f.contact.created_at)}</dd></dl>
<h2>Coordonnées</h2>
${f.identities.length ? html`<ul>${f.identities.map((i) => html`<li>${KIND[i.kind] ?? i.kind} : ${i.value}</li>`)}</ul>` : html`<p>Aucune.</p>`}
<h2>Demandes (${f.conversations.length})</h2>
${f.conversations.map(
  (c) => html`<section>
<h3>${c.reference} — ${c.subject ?? 'Sans objet'}</h3>
<p class="meta">Service : ${c.team}${c.request_type ? html` · Démarche : ${c.request_type}` : ''} · Créée le ${when(c.created_at)} · Statut : ${c.status}${c.resolved_at ? html` · Résolue le ${when(c.resolved_at)}` : ''}${c.legal_hold_reason ? html` · Conservée : ${c.legal_hold_reason}` : ''}</p>
${f.satisfaction
  .filter((a) => a.conversation_id === c.id)
  .map(
    (a) =>
      html`<p class="meta">Votre avis sur le traitement de cette demande : ${String(a.score)}/10, donné le ${when(a.answered_at)}${a.comment ? html` — « ${a.comment} »` : ''}</p>`,
  )}
${f.messages
  .filter((m) => m.conversation_id === c.id)
  .map(
    (m) =>
      html`<div class="message"><p class="meta">${MESSAGE_KIND[m.kind] ?? m.kind} ${m.direction === 'inbound' ? 'reçu' : 'envoyé'}${m.channel_kind ? html` (${m.channel_kind})` : ''}${m.author ? html` par ${m.author}` : ''} le ${when(m.created_at)}</p>${m.body}${
        m.call?.durationSeconds !== undefined ? html`<p class="meta">Durée : ${String(m.call.durationSeconds)} s</p>` : ''
      }${f.attachments
        .filter((a) => a.message_id === m.id)
        .map((a) => html`<p>Pièce jointe : <a href="${paths.get(a.id)}">${a.file_name}</a> (${a.size} octets)</p>`)}</div>`,
  )}
</section>`,
)}
<h2>Limitation et opposition au traitement</h2>
${
  f.restrictions.length
    ? html`<table><thead><tr><th scope="col">Demande accordée</th><th scope="col">Depuis le</th><th scope="col">Motif</th><th scope="col">Prévue jusqu’au</th><th scope="col">Levée</th></tr></thead><tbody>${f.restrictions.map(
        (r) =>
          html`<tr><td>${RESTRICTION[r.kind] ?? r.kind}</td><td>${when(new Date(r.grantedAt))}</td><td>${r.reason}</td><td>${day(r.until)}</td><td>${r.liftedAt ? html`le ${when(new Date(r.liftedAt))}${r.liftReason ? html` — ${r.liftReason}` : ''}` : 'En vigueur'}</td></tr>`,
      )}</tbody></table>`
    : html`<p>Aucune.</p>`
}
<h2>Qui a consulté votre dossier</h2>
${
  f.views.length
    ? html`<table><thead><tr><th scope="col">Date</th><th scope="col">Agent</th><th scope="col">Action</th><th scope="col">Demande</th></tr></thead><tbody>${f.views.map(
        (v) =>
          html`<tr><td>${when(v.created_at)}</td><td>${v.agent ?? 'Système'}</td><td>${actionText(v.action)}</td><td>${v.conversation_id ? (refOf.get(v.conversation_id) ?? '—') : '—'}</td></tr>`,
      )}</tbody></table>`
    : html`<p>Aucune consultation enregistrée.</p>`
}
</body>
</html>
`;
  return page.value;
}

/** The ZIP: donnees.json, index.html and the attachments' files (`blobs` by sha256). */
export function exportZip(f: CitizenFile, blobs: Map<string, Uint8Array>): Uint8Array {
  const files: Zippable = {
    'donnees.json': strToU8(exportJson(f)),
    'index.html': strToU8(exportHtml(f)),
  };
  const paths = attachmentPaths(f);
  for (const a of f.attachments) {
    const bytes = blobs.get(a.sha256);
    if (bytes) files[paths.get(a.id)!] = [bytes, { level: 0 }];
  }
  return zipSync(files, { level: 6, mtime: f.generatedAt });
}
