import { normalizeIdentity, type ChannelKind, type IdentityKind } from '@guichet/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { hashPassword } from '../common/password';
import { snippetOf } from '../modules/conversations/conversation-writer.service';
import { drawReference } from '../modules/conversations/references';
import { DEMO_CITIZENS, DEMO_CONVERSATIONS } from './demo-data';
import { seedDemoRequestTypes } from './demo-request-types';
import type { DemoCitizen, TeamSlug } from './demo-data.types';

export const DEMO_PASSWORD = 'guichet-demo';

export const DEMO_TEAMS: { slug: TeamSlug; name: string; agents: [string, string] }[] = [
  { slug: 'etat-civil', name: 'État civil', agents: ['Sophie Marchand', 'Julien Roche'] },
  { slug: 'scolarite', name: 'Scolarité', agents: ['Camille Perrin', 'Thomas Garnier'] },
  { slug: 'action-sociale', name: 'Action sociale', agents: ['Aïcha Haddad', 'Laurent Fabre'] },
  { slug: 'services-techniques', name: 'Services techniques', agents: ['Marc Lemoine', 'Inès Carvalho'] },
  { slug: 'developpement-economique', name: 'Développement économique', agents: ['Claire Dubois', 'Yann Le Gall'] },
  { slug: 'vie-culturelle', name: 'Vie culturelle', agents: ['Manon Girard', 'Hugo Lambert'] },
  { slug: 'vie-sportive', name: 'Vie sportive', agents: ['Léa Fontaine', 'Nicolas Blanc'] },
];

/** Whether this database holds the demo town (the start-up message lists its accounts then). */
export async function hasDemo(dataSource: DataSource): Promise<boolean> {
  const rows: unknown[] = await dataSource.query(`SELECT 1 FROM organization WHERE slug = 'demo'`);
  return rows.length > 0;
}

/** `Aïcha Haddad` -> `aicha.haddad@demo.guichet.fr` */
export function demoEmail(name: string): string {
  const ascii = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  return `${ascii.replace(/[^a-z]+/g, '.').replace(/^\.|\.$/g, '')}@demo.guichet.fr`;
}

const CHANNELS: { kind: ChannelKind; name: string; team: TeamSlug; config: Record<string, unknown> }[] = [
  {
    kind: 'email',
    name: 'E-mail de la mairie',
    team: 'etat-civil',
    config: {
      address: 'mairie@ville-demo.fr',
      displayName: 'Mairie de Ville de Démo',
      imap: { host: 'imap.ville-demo.invalid', port: 993, secure: true, user: 'mairie@ville-demo.fr', folders: ['INBOX'] },
      smtp: { host: 'smtp.ville-demo.invalid', port: 465, secure: true, user: 'mairie@ville-demo.fr' },
      processed: 'seen',
    },
  },
  {
    kind: 'sms',
    name: 'SMS de la mairie',
    team: 'etat-civil',
    config: { accountSid: `AC${'0'.repeat(32)}`, phoneNumber: '+33757000000' },
  },
  {
    kind: 'whatsapp',
    name: 'WhatsApp de la mairie',
    team: 'etat-civil',
    config: { accountSid: `AC${'0'.repeat(32)}`, whatsappNumber: '+33757000000' },
  },
  {
    kind: 'voice',
    name: 'Accueil téléphonique',
    team: 'etat-civil',
    config: { accountSid: `AC${'0'.repeat(32)}`, phoneNumber: '+33100000000' },
  },
  { kind: 'pbx', name: 'Standard de la mairie', team: 'etat-civil', config: { vendor: 'Standard IP' } },
  {
    kind: 'messenger',
    name: 'Page Facebook',
    team: 'vie-culturelle',
    config: { pageId: '100000000000001', graphApiVersion: 'v21.0' },
  },
  {
    kind: 'instagram',
    name: 'Compte Instagram',
    team: 'vie-culturelle',
    config: { instagramAccountId: '17800000000000001', graphApiVersion: 'v21.0' },
  },
  { kind: 'webform', name: 'Formulaire de demande en ligne', team: 'etat-civil', config: {} },
];

function identitiesOf(c: DemoCitizen): { kind: IdentityKind; value: string }[] {
  const list: { kind: IdentityKind; value: string }[] = [];
  if (c.email) list.push({ kind: 'email', value: normalizeIdentity('email', c.email) });
  if (c.phone) list.push({ kind: 'phone', value: normalizeIdentity('phone', c.phone) });
  if (c.whatsapp) list.push({ kind: 'whatsapp', value: normalizeIdentity('whatsapp', c.whatsapp) });
  if (c.messenger) list.push({ kind: 'messenger', value: c.messenger });
  if (c.instagram) list.push({ kind: 'instagram', value: c.instagram });
  return list;
}

/**
 * Seeds "Ville de Démo" (slug `demo`) on an empty database only: the seven services, an admin, a
 * supervisor, two agents per service, a channel of every kind and ~60 conversations of French
 * citizens. A database where a town was set up (`pnpm guichet setup`, the first-run page) is
 * left alone.
 */
export async function seedDemo(
  dataSource: DataSource,
  logger?: { log(message: string, context?: string): void },
): Promise<boolean> {
  const [exists] = await dataSource.query(`SELECT 1 FROM organization LIMIT 1`);
  if (exists) return false;
  const accounts = [
    { name: 'Administratrice Démo', email: 'admin@demo.guichet.fr', role: 'admin', team: null },
    { name: 'Superviseur Démo', email: 'superviseur@demo.guichet.fr', role: 'supervisor', team: null },
    ...DEMO_TEAMS.flatMap((t) => t.agents.map((name) => ({ name, email: demoEmail(name), role: 'agent', team: t.slug }))),
  ];
  const hashes = await Promise.all(accounts.map(() => hashPassword(DEMO_PASSWORD)));

  await dataSource.transaction(async (m: EntityManager) => {
    // Acknowledgements (CRPA L112-3) and signed replies (L111-2) on: the town hall's address and
    // phone are what they state.
    const [org] = await m.query(
      `INSERT INTO organization (slug, name, address, phone, email, acknowledgements, sign_replies)
       VALUES ('demo', 'Ville de Démo', 'Hôtel de ville, 1 place de la Mairie, 99000 Démo', '01 23 45 67 89',
               'mairie@demo.guichet.fr', '{"enabled": true}', true) RETURNING id`,
    );
    const orgId: string = org.id;
    const teamIds = new Map<TeamSlug, string>();
    for (const t of DEMO_TEAMS) {
      const [row] = await m.query(`INSERT INTO team (organization_id, slug, name) VALUES ($1, $2, $3) RETURNING id`, [
        orgId,
        t.slug,
        t.name,
      ]);
      teamIds.set(t.slug, row.id);
    }
    const agentIds = new Map<string, string>();
    for (const [i, a] of accounts.entries()) {
      const [row] = await m.query(
        `INSERT INTO agent (organization_id, email, name, role, password_hash, capacity) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [orgId, a.email, a.name, a.role, hashes[i], a.role === 'agent' ? 12 : 20],
      );
      agentIds.set(a.email, row.id);
      const teams = a.team ? [a.team] : a.role === 'supervisor' ? DEMO_TEAMS.map((t) => t.slug) : [];
      for (const slug of teams)
        await m.query(`INSERT INTO agent_team (agent_id, team_id) VALUES ($1, $2)`, [row.id, teamIds.get(slug)]);
    }
    const channelIds = new Map<ChannelKind, string>();
    for (const c of CHANNELS) {
      const [row] = await m.query(
        `INSERT INTO channel (organization_id, team_id, kind, name, config, enabled) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        // Provider channels point at no real server in the demo: disabled until an admin connects them.
        [
          orgId,
          teamIds.get(c.team),
          c.kind,
          c.kind === 'webform' ? c.name : `${c.name} (démo, non connecté)`,
          JSON.stringify(c.config),
          c.kind === 'webform',
        ],
      );
      channelIds.set(c.kind, row.id);
    }
    const contactIds = new Map<string, string>();
    for (const c of DEMO_CITIZENS) {
      const [row] = await m.query(`INSERT INTO contact (organization_id, name) VALUES ($1, $2) RETURNING id`, [orgId, c.name]);
      contactIds.set(c.key, row.id);
      for (const i of identitiesOf(c)) {
        await m.query(`INSERT INTO contact_identity (organization_id, contact_id, kind, value) VALUES ($1, $2, $3, $4)`, [
          orgId,
          row.id,
          i.kind,
          i.value,
        ]);
      }
    }

    const now = Date.now();
    let external = 0;
    for (const conv of DEMO_CONVERSATIONS) {
      const team = DEMO_TEAMS.find((t) => t.slug === conv.team)!;
      const agentId = (i: 0 | 1 | undefined) => (i === undefined ? null : agentIds.get(demoEmail(team.agents[i]))!);
      const at = (minutes: number) => new Date(now - minutes * 60_000);
      const first = conv.messages[0]!;
      const last = conv.messages[conv.messages.length - 1]!;
      const inbound = conv.messages.filter((x) => x.direction === 'inbound');
      const firstReply = conv.messages.find((x) => x.direction === 'outbound' && x.kind !== 'note');
      const lastChannel = last.channel ?? conv.channel;
      const missedCall = last.kind === 'call' && last.direction === 'inbound' && last.callSeconds === 0;
      const open = ['open', 'pending', 'snoozed'].includes(conv.status);
      const [row] = await m.query(
        `INSERT INTO conversation (organization_id, reference, contact_id, team_id, assignee_id, status, priority, subject, snippet,
           last_channel_kind, unread, callback_needed, snoozed_until, created_at, last_message_at, last_inbound_at,
           first_response_at, resolved_at, citizen_name, identity_ids)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                 (SELECT name FROM contact WHERE id = $3), ARRAY(SELECT id FROM contact_identity WHERE contact_id = $3)) RETURNING id`,
        [
          orgId,
          drawReference(),
          contactIds.get(conv.citizen),
          teamIds.get(conv.team),
          agentId(conv.assignee),
          conv.status,
          conv.priority ?? 'normal',
          conv.subject,
          snippetOf(last.body),
          lastChannel,
          open && last.direction === 'inbound',
          open && missedCall,
          conv.status === 'snoozed' ? new Date(now + 3 * 86_400_000) : null,
          at(first.minutesAgo),
          at(last.minutesAgo),
          inbound.length ? at(inbound[inbound.length - 1]!.minutesAgo) : null,
          firstReply ? at(firstReply.minutesAgo) : null,
          open ? null : at(last.minutesAgo),
        ],
      );
      for (const msg of conv.messages) {
        const kind = msg.kind ?? 'message';
        const channel = kind === 'note' ? null : channelIds.get(msg.channel ?? conv.channel)!;
        const body =
          kind === 'call' && msg.callSeconds !== undefined
            ? `${msg.body}${msg.callSeconds === 0 ? ' (appel manqué)' : ` (durée ${Math.floor(msg.callSeconds / 60)} min ${msg.callSeconds % 60} s)`}`
            : msg.body;
        await m.query(
          `INSERT INTO message (organization_id, conversation_id, direction, kind, channel_id, author_agent_id, body, status,
             external_id, meta, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [
            orgId,
            row.id,
            msg.direction,
            kind,
            channel,
            msg.direction === 'outbound' ? agentId(msg.agent ?? 0) : null,
            body,
            msg.direction === 'inbound' ? 'received' : kind === 'note' ? 'sent' : 'delivered',
            channel ? `demo:${++external}` : null,
            msg.callSeconds !== undefined
              ? JSON.stringify({ durationSeconds: msg.callSeconds, missed: msg.callSeconds === 0 })
              : null,
            at(msg.minutesAgo),
          ],
        );
      }
    }
    await seedDemoRequestTypes(m, orgId, teamIds);
  });
  logger?.log(`Ville de Démo créée : ${DEMO_CONVERSATIONS.length} conversations, ${DEMO_CITIZENS.length} citoyens`, 'Seed');
  return true;
}
