import { randomUUID } from 'node:crypto';
import {
  CHANNEL_CAPABILITIES,
  civilDateAt,
  letterSenderKey,
  normalizeIdentity,
  type ChannelKind,
  type IdentityKind,
} from '@guichet/contracts';
import type { DataSource } from 'typeorm';
import { Database } from '../common/database';
import { hashPassword } from '../common/password';
import { AdministrationRepository } from '../modules/administrations/administration.repository';
import { DirectoryRepository } from '../modules/agents/directory.repository';
import { ChannelRepository } from '../modules/channels/channel.repository';
import { ContactRepository } from '../modules/contacts/contact.repository';
import { ConversationRepository } from '../modules/conversations/conversation.repository';
import { ConversationErasureRepository } from '../modules/conversations/conversation-erasure.repository';
import { ConversationWriterRepository } from '../modules/conversations/conversation-writer.repository';
import { ConversationWriter, snippetOf, type WriterTx } from '../modules/conversations/conversation-writer.service';
import { MessageRepository } from '../modules/conversations/message.repository';
import type { DomainEvents } from '../modules/events/domain-event-bus';
import { OrganizationRepository } from '../modules/organizations/organization.repository';
import { RequestTypeRepository } from '../modules/request-types/request-type.repository';
import { MunicipalEventRepository } from '../modules/municipal-events/municipal-event.repository';
import { seedDemoAdministrations } from './demo-administrations';
import { seedDemoEvents } from './demo-events';
import type { CallMeta } from '../modules/telephony/call.repository';
import { TeamAdminRepository } from '../modules/teams/team-admin.repository';
import { DEMO_CITIZENS, DEMO_CONVERSATIONS } from './demo-data';
import { seedDemoRequestTypes, type SeededConversation } from './demo-request-types';
import type { DemoCitizen, DemoConversation, DemoMessage, TeamSlug } from './demo-data.types';

export const DEMO_PASSWORD = 'guichet-demo';

export const DEMO_TEAMS: { slug: TeamSlug; name: string; agents: [string, string]; signature?: string }[] = [
  { slug: 'etat-civil', name: 'État civil', agents: ['Sophie Marchand', 'Julien Roche'] },
  { slug: 'scolarite', name: 'Scolarité', agents: ['Camille Perrin', 'Thomas Garnier'] },
  {
    slug: 'action-sociale',
    name: 'Action sociale',
    agents: ['Aïcha Haddad', 'Laurent Fabre'],
    // Its own reply signature (L111-2): the CCAS names itself; an agent who signs with the service
    // only leaves the first two lines out.
    signature:
      '{{agent}}\n{{fonction}}\nCentre communal d’action sociale (CCAS) – {{service}}\n{{commune}}\n{{adresse_service}}\n' +
      'Accueil social sans rendez-vous le mardi et le jeudi matin. Vos échanges avec le CCAS restent confidentiels.',
  },
  { slug: 'services-techniques', name: 'Services techniques', agents: ['Marc Lemoine', 'Inès Carvalho'] },
  { slug: 'developpement-economique', name: 'Développement économique', agents: ['Claire Dubois', 'Yann Le Gall'] },
  { slug: 'vie-culturelle', name: 'Vie culturelle', agents: ['Manon Girard', 'Hugo Lambert'] },
  { slug: 'vie-sportive', name: 'Vie sportive', agents: ['Léa Fontaine', 'Nicolas Blanc'] },
];

/** Whether this database holds the demo town (the start-up message lists its accounts then). */
export async function hasDemo(dataSource: DataSource): Promise<boolean> {
  return !!(await new OrganizationRepository(new Database(dataSource)).bySlug('demo'));
}

/** `Aïcha Haddad` -> `aicha.haddad@demo.guichet.fr` */
export function demoEmail(name: string): string {
  const ascii = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  return `${ascii.replace(/[^a-z]+/g, '.').replace(/^\.|\.$/g, '')}@demo.guichet.fr`;
}

/** The demo's voice line (its calls' `to`, or `from` when an agent calls back). */
const VOICE_NUMBER = '+33100000000';

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
    config: { accountSid: `AC${'0'.repeat(32)}`, phoneNumber: VOICE_NUMBER },
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
  // Paper mail: no provider to connect, open at once (agents register the letters the town receives).
  { kind: 'letter', name: 'Courrier de la mairie', team: 'etat-civil', config: {} },
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
 * The seed's writer: the app's one writer (references, snippets, the conversation and message
 * rows) and its repositories, on the start-up connection. The seed runs before any module
 * starts, so no listener of domain events exists yet: the writes it makes tell no one.
 */
function demoWriters(dataSource: DataSource) {
  const db = new Database(dataSource);
  const conversations = new ConversationRepository(db);
  const messages = new MessageRepository(db);
  const noListenersYet = { record: async () => undefined } as Pick<DomainEvents, 'record'> as DomainEvents;
  return {
    organizations: new OrganizationRepository(db),
    teams: new TeamAdminRepository(db),
    directory: new DirectoryRepository(db),
    channels: new ChannelRepository(db),
    contacts: new ContactRepository(db),
    requestTypes: new RequestTypeRepository(db),
    administrations: new AdministrationRepository(db),
    events: new MunicipalEventRepository(db),
    writer: new ConversationWriter(
      db,
      new ConversationWriterRepository(),
      conversations,
      messages,
      noListenersYet,
      new ConversationErasureRepository(db),
    ),
  };
}

type Writers = ReturnType<typeof demoWriters>;

/** What a demo call keeps in `message.meta.call`, as the telephony writes it (call.repository's CallMeta). */
function callMeta(
  msg: DemoMessage,
  provider: 'twilio' | 'pbx',
  line: string | null,
  citizenPhone: string | null,
  at: Date,
): CallMeta {
  const seconds = msg.callSeconds ?? 0;
  const outcome = seconds > 0 ? 'answered' : /vocal/i.test(msg.body) ? 'voicemail' : 'missed';
  const inbound = msg.direction === 'inbound';
  return {
    provider,
    direction: msg.direction,
    from: inbound ? citizenPhone : line,
    to: inbound ? line : citizenPhone,
    outcome,
    startedAt: at.toISOString(),
    ...(outcome === 'answered' ? { answeredAt: at.toISOString() } : {}),
    endedAt: new Date(at.getTime() + seconds * 1000).toISOString(),
    durationSeconds: seconds,
  };
}

/** One demo conversation, its messages and the state its history left it in, through the writer. */
async function seedConversation(
  w: Writers,
  tx: WriterTx,
  ids: {
    orgId: string;
    teamIds: Map<TeamSlug, string>;
    agentId: (team: TeamSlug, i: 0 | 1 | undefined) => string | null;
    channelIds: Map<ChannelKind, string>;
    citizens: Map<string, { contactId: string; identityIds: string[]; citizen: DemoCitizen }>;
  },
  conv: DemoConversation,
  now: number,
  external: { n: number },
): Promise<SeededConversation> {
  const at = (minutes: number) => new Date(now - minutes * 60_000);
  const citizen = ids.citizens.get(conv.citizen)!;
  const first = conv.messages[0]!;
  const last = conv.messages[conv.messages.length - 1]!;
  const inbound = conv.messages.filter((x) => x.direction === 'inbound');
  // The first answer: a printed letter answers from its posting (an hour after it was written here).
  const answeredAt = conv.messages
    .filter((x) => x.direction === 'outbound' && x.kind !== 'note')
    .map((x) => {
      const postal = (x.kind ?? 'message') === 'message' && CHANNEL_CAPABILITIES[x.channel ?? conv.channel].postal;
      return postal ? x.minutesAgo - 60 : x.minutesAgo;
    });
  const missedCall = last.kind === 'call' && last.direction === 'inbound' && last.callSeconds === 0;
  const open = ['open', 'pending', 'snoozed'].includes(conv.status);
  const [identity] = identitiesOf(citizen.citizen);
  const conversationId = await w.writer.openConversation(tx, {
    organizationId: ids.orgId,
    contactId: citizen.contactId,
    teamId: ids.teamIds.get(conv.team)!,
    subject: conv.subject,
    at: at(first.minutesAgo),
    identity: identity ?? null,
    citizenName: citizen.citizen.name,
  });
  // Agents of the service see every address the citizen used in the demo's files.
  for (const identityId of citizen.identityIds) await w.writer.holdIdentity(tx, [conversationId], identityId);
  const phone = citizen.citizen.phone ? normalizeIdentity('phone', citizen.citizen.phone) : null;
  for (const msg of conv.messages) {
    const kind = msg.kind ?? 'message';
    const channelKind = msg.channel ?? conv.channel;
    const channel = kind === 'note' ? null : ids.channelIds.get(channelKind)!;
    const body =
      kind === 'call' && msg.callSeconds !== undefined
        ? `${msg.body}${msg.callSeconds === 0 ? ' (appel manqué)' : ` (durée ${Math.floor(msg.callSeconds / 60)} min ${msg.callSeconds % 60} s)`}`
        : msg.body;
    const line = channelKind === 'voice' ? VOICE_NUMBER : null;
    await w.writer.insertMessage(tx, {
      organizationId: ids.orgId,
      conversationId,
      direction: msg.direction,
      kind,
      channelId: channel,
      authorAgentId: msg.direction === 'outbound' ? ids.agentId(conv.team, msg.agent ?? 0) : null,
      body,
      // A reply on the form is published, a letter posted: not confirmed delivered (no provider reports it).
      status:
        msg.direction === 'inbound'
          ? 'received'
          : kind === 'note' || channelKind === 'webform' || CHANNEL_CAPABILITIES[channelKind].postal
            ? 'sent'
            : 'delivered',
      externalId: channel ? `demo:${++external.n}` : null,
      meta:
        kind === 'call'
          ? { call: callMeta(msg, channelKind === 'pbx' ? 'pbx' : 'twilio', line, phone, at(msg.minutesAgo)) }
          : msg.postalAddress
            ? {
                letter: {
                  receivedOn: civilDateAt(at(msg.minutesAgo)),
                  sender: { name: citizen.citizen.name, address: msg.postalAddress },
                },
                letterSenderKey: letterSenderKey(citizen.citizen.name, msg.postalAddress),
              }
            : msg.direction === 'outbound' && kind === 'message' && CHANNEL_CAPABILITIES[channelKind].postal
              ? { postedAt: at(msg.minutesAgo - 60).toISOString() }
              : null,
      createdAt: at(msg.minutesAgo),
    });
  }
  await w.writer.setHistory(tx, conversationId, {
    status: conv.status,
    priority: conv.priority ?? 'normal',
    assigneeId: ids.agentId(conv.team, conv.assignee),
    snippet: snippetOf(last.body),
    lastChannelKind: last.channel ?? conv.channel,
    unread: open && last.direction === 'inbound',
    callbackNeeded: open && missedCall,
    snoozedUntil: conv.status === 'snoozed' ? new Date(now + 3 * 86_400_000) : null,
    lastMessageAt: at(last.minutesAgo),
    lastInboundAt: inbound.length ? at(inbound[inbound.length - 1]!.minutesAgo) : null,
    firstResponseAt: answeredAt.length ? at(Math.max(...answeredAt)) : null,
    resolvedAt: open ? null : at(last.minutesAgo),
  });
  const firstInbound = inbound[0];
  return {
    id: conversationId,
    teamId: ids.teamIds.get(conv.team)!,
    subject: conv.subject,
    createdAt: at(first.minutesAgo),
    firstChannelKind: firstInbound ? (firstInbound.channel ?? conv.channel) : null,
  };
}

/**
 * Seeds "Ville de Démo" (slug `demo`) on an empty database only: the seven services, an admin, a
 * supervisor, two agents per service, a channel of every kind and ~60 conversations of French
 * citizens, written by the app's repositories and its one writer in one transaction. A database
 * where a town was set up (`pnpm guichet setup`, the first-run page) is left alone.
 */
export async function seedDemo(
  dataSource: DataSource,
  logger?: { log(message: string, context?: string): void },
): Promise<boolean> {
  const w = demoWriters(dataSource);
  if (await w.organizations.anyExists()) return false;
  const accounts = [
    { name: 'Administratrice Démo', email: 'admin@demo.guichet.fr', role: 'admin' as const, team: null },
    { name: 'Superviseur Démo', email: 'superviseur@demo.guichet.fr', role: 'supervisor' as const, team: null },
    ...DEMO_TEAMS.flatMap((t) =>
      t.agents.map((name) => ({ name, email: demoEmail(name), role: 'agent' as const, team: t.slug as TeamSlug | null })),
    ),
  ];
  const hashes = await Promise.all(accounts.map(() => hashPassword(DEMO_PASSWORD)));

  await w.writer.tx(async (tx) => {
    const { m } = tx;
    // A new organization acknowledges requests (CRPA L112-3) and signs replies (L111-2): the town
    // hall's address and phone are what they state.
    const orgId = (
      await w.organizations.insert(m, {
        slug: 'demo',
        name: 'Ville de Démo',
        address: 'Hôtel de ville, 1 place de la Mairie, 99000 Démo',
        phone: '01 23 45 67 89',
        email: 'mairie@demo.guichet.fr',
      })
    ).id;
    const teamIds = new Map<TeamSlug, string>();
    for (const t of DEMO_TEAMS) {
      teamIds.set(t.slug, await w.teams.insert(m, orgId, { slug: t.slug, name: t.name }));
      if (t.signature) await w.teams.update(m, teamIds.get(t.slug)!, { signature: t.signature });
    }
    const agentIds = new Map<string, string>();
    for (const [i, a] of accounts.entries()) {
      const id = await w.directory.insertAgent(m, {
        organizationId: orgId,
        email: a.email,
        name: a.name,
        role: a.role,
        capacity: a.role === 'agent' ? 12 : 20,
        passwordHash: hashes[i]!,
      });
      agentIds.set(a.email, id);
      const teams = a.team ? [a.team] : a.role === 'supervisor' ? DEMO_TEAMS.map((t) => t.slug) : [];
      if (teams.length)
        await w.directory.setAgentTeams(
          m,
          orgId,
          id,
          teams.map((slug) => teamIds.get(slug)!),
        );
    }
    const channelIds = new Map<ChannelKind, string>();
    for (const c of CHANNELS) {
      const id = randomUUID();
      // Provider channels point at no real server in the demo: disabled until an admin connects them.
      const open = c.kind === 'webform' || CHANNEL_CAPABILITIES[c.kind].postal;
      await w.channels.insert(m, {
        id,
        organizationId: orgId,
        teamId: teamIds.get(c.team)!,
        kind: c.kind,
        name: open ? c.name : `${c.name} (démo, non connecté)`,
        config: c.config,
        secrets: null,
        enabled: open,
      });
      channelIds.set(c.kind, id);
    }
    const citizens = new Map<string, { contactId: string; identityIds: string[]; citizen: DemoCitizen }>();
    for (const c of DEMO_CITIZENS) {
      const [first, ...others] = identitiesOf(c);
      const contactId = await w.contacts.resolve(m, orgId, first!.kind, first!.value, c.name);
      const identityIds: string[] = [];
      for (const i of [first!, ...others])
        identityIds.push((await w.contacts.addIdentity(m, orgId, contactId, i.kind, i.value)).identityId);
      citizens.set(c.key, { contactId, identityIds, citizen: c });
    }

    const now = Date.now();
    const external = { n: 0 };
    const agentId = (team: TeamSlug, i: 0 | 1 | undefined) =>
      i === undefined ? null : agentIds.get(demoEmail(DEMO_TEAMS.find((t) => t.slug === team)!.agents[i]))!;
    const seeded: SeededConversation[] = [];
    for (const conv of DEMO_CONVERSATIONS)
      seeded.push(await seedConversation(w, tx, { orgId, teamIds, agentId, channelIds, citizens }, conv, now, external));
    await seedDemoRequestTypes(tx, w.writer, w.requestTypes, orgId, teamIds, seeded);
    await seedDemoEvents(m, w.events, orgId, teamIds, now);
    await seedDemoAdministrations(m, w.administrations, orgId);
  });
  logger?.log(`Ville de Démo créée : ${DEMO_CONVERSATIONS.length} conversations, ${DEMO_CITIZENS.length} citoyens`, 'Seed');
  return true;
}
