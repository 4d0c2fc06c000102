import type { ChannelKind, DeadlineSpec, DecisionRegime, RequestTypeDto } from '@guichet/contracts';
import type { ConversationWriter, WriterTx } from '../modules/conversations/conversation-writer.service';
import { computeDueDates } from '../modules/request-types/due-dates';
import type { RequestTypeRepository } from '../modules/request-types/request-type.repository';
import type { TeamSlug } from './demo-data.types';

interface DemoRequestType {
  team: TeamSlug;
  name: string;
  description: string;
  regime: DecisionRegime;
  deadline: DeadlineSpec | null;
  documents: string[];
  /** R112-4: no acknowledgement (a document delivered after a mere check, decided within 15 days). */
  exempt?: boolean;
  /** Demo conversations whose subject matches get this type (accents and case ignored). */
  matches?: RegExp;
}

const months = (amount: number): DeadlineSpec => ({ amount, unit: 'months' });
const days = (amount: number): DeadlineSpec => ({ amount, unit: 'calendar_days' });
const workingDays = (amount: number): DeadlineSpec => ({ amount, unit: 'working_days' });
const ID = "Pièce d'identité";
const ADDRESS = 'Justificatif de domicile de moins de 3 mois';

/** Démarches of the seven services of Ville de Démo: each regime appears (acceptance, rejection, none). */
export const DEMO_REQUEST_TYPES: DemoRequestType[] = [
  {
    team: 'etat-civil',
    name: "Copie intégrale d'acte de naissance",
    description:
      'Délivrée gratuitement à la personne concernée, à ses parents, enfants ou conjoint. Envoi par courrier sous 15 jours.',
    regime: 'none',
    deadline: days(15),
    documents: [ID, 'Livret de famille (demande pour un parent)'],
    exempt: true,
    matches: /acte de naissance/,
  },
  {
    team: 'etat-civil',
    name: 'Attestation d’accueil',
    description:
      'Pour recevoir un proche étranger pour une visite de moins de 3 mois. Sans réponse du maire dans un mois, la demande est refusée.',
    regime: 'rejection',
    deadline: months(1),
    documents: [ID, ADDRESS, 'Titre de propriété ou bail', 'Timbre fiscal de 40 €'],
  },
  {
    team: 'etat-civil',
    name: 'Dossier de mariage',
    description: 'Dépôt du dossier et publication des bans. Un rendez-vous vous est proposé à réception du dossier complet.',
    regime: 'none',
    deadline: null,
    documents: [
      `${ID} des futurs époux`,
      `${ADDRESS} des futurs époux`,
      'Copie intégrale d’acte de naissance de moins de 3 mois',
      'Liste des témoins',
    ],
    matches: /mariage/,
  },
  {
    team: 'scolarite',
    name: 'Inscription scolaire',
    description:
      "Première inscription en maternelle ou élémentaire, ou arrivée dans la commune. Sans réponse sous deux mois, l'inscription est acceptée.",
    regime: 'acceptance',
    deadline: months(2),
    documents: ['Livret de famille', ADDRESS, 'Carnet de santé (vaccinations)', 'Certificat de radiation (changement d’école)'],
    matches: /inscription en petite section|changement d.ecole/,
  },
  {
    team: 'scolarite',
    name: 'Dérogation de secteur scolaire',
    description: 'Scolariser votre enfant hors de son secteur. Sans réponse sous deux mois, la demande est refusée.',
    regime: 'rejection',
    deadline: months(2),
    documents: ['Livret de famille', ADDRESS, 'Justificatif du motif (fratrie, garde, santé)'],
    matches: /derogation/,
  },
  {
    team: 'scolarite',
    name: 'Réclamation sur une facture (cantine, périscolaire)',
    description: 'Une réclamation : sans réponse sous deux mois, elle est rejetée (CRPA L231-4).',
    regime: 'rejection',
    deadline: months(2),
    documents: ['Facture contestée'],
    matches: /facture/,
  },
  {
    team: 'action-sociale',
    name: 'Demande d’aide facultative',
    description:
      'Secours d’urgence ou aide ponctuelle du CCAS. Demande financière : sans réponse sous deux mois, elle est rejetée.',
    regime: 'rejection',
    deadline: months(2),
    documents: [ID, 'Avis d’imposition', 'Justificatifs de ressources des 3 derniers mois', 'Facture ou devis concerné'],
    matches: /aide d.urgence/,
  },
  {
    team: 'action-sociale',
    name: 'Demande de logement social',
    description: 'Enregistrement de la demande et suivi du dossier avec les bailleurs.',
    regime: 'none',
    deadline: months(1),
    documents: [ID, 'Avis d’imposition', ADDRESS],
    matches: /logement social/,
  },
  {
    team: 'services-techniques',
    name: 'Signalement voirie',
    description:
      'Nid-de-poule, trottoir abîmé, éclairage en panne, dépôt sauvage : intervention ou réponse sous 10 jours ouvrés.',
    regime: 'none',
    deadline: workingDays(10),
    documents: [],
    matches: /nid-de-poule|eclairage|lampadaire|depot sauvage|racines|fuite|arbre tombe/,
  },
  {
    team: 'services-techniques',
    name: 'Permission de voirie (travaux, échafaudage, benne)',
    description: 'Occupation temporaire de la voie publique. Sans réponse sous deux mois, la demande est refusée.',
    regime: 'rejection',
    deadline: months(2),
    documents: ['Plan de situation', 'Attestation d’assurance', 'Dates et durée de l’occupation'],
  },
  {
    team: 'services-techniques',
    name: 'Carte de stationnement résident',
    description: 'Sans réponse sous deux mois, la carte est accordée : vous pouvez demander une attestation.',
    regime: 'acceptance',
    deadline: months(2),
    documents: [ADDRESS, 'Certificat d’immatriculation du véhicule'],
  },
  {
    team: 'developpement-economique',
    name: 'Autorisation d’occupation du domaine public (terrasse, étalage)',
    description: 'Terrasse, étalage, food truck. Sans réponse sous deux mois, la demande est refusée.',
    regime: 'rejection',
    deadline: months(2),
    documents: ['Extrait Kbis', 'Attestation d’assurance', 'Plan de la terrasse ou de l’emplacement'],
    matches: /terrasse|food truck/,
  },
  {
    team: 'developpement-economique',
    name: 'Emplacement sur un marché',
    description: 'Abonnement ou emplacement ponctuel sur les marchés de la ville.',
    regime: 'none',
    deadline: workingDays(15),
    documents: ['Extrait Kbis ou carte de commerçant ambulant', 'Attestation d’assurance'],
    matches: /marche/,
  },
  {
    team: 'vie-culturelle',
    name: 'Réservation de salle municipale',
    description: 'Salle des fêtes, salles de quartier. Sans réponse sous un mois, la réservation est refusée.',
    regime: 'rejection',
    deadline: months(1),
    documents: [ID, 'Attestation d’assurance responsabilité civile'],
    matches: /reservation de la salle/,
  },
  {
    team: 'vie-culturelle',
    name: 'Inscription à l’école de musique',
    description: 'Cours individuels et pratiques collectives.',
    regime: 'none',
    deadline: days(15),
    documents: [ADDRESS],
    matches: /ecole de musique/,
  },
  {
    team: 'vie-culturelle',
    name: 'Demande de subvention associative',
    description: 'Demande financière : sans réponse sous deux mois, elle est rejetée.',
    regime: 'rejection',
    deadline: months(2),
    documents: ['Statuts de l’association', 'Budget prévisionnel', 'RIB', 'Numéro RNA'],
  },
  {
    team: 'vie-sportive',
    name: 'Réservation d’équipement sportif',
    description:
      'Gymnase, city-stade, courts de tennis pour un club ou un groupe. Sans réponse sous un mois, la demande est refusée.',
    regime: 'rejection',
    deadline: months(1),
    documents: ['Attestation d’assurance', 'Liste des participants'],
    matches: /creneau au gymnase|courts de tennis/,
  },
  {
    team: 'vie-sportive',
    name: 'Inscription à l’école municipale des sports',
    description: 'Activités du mercredi et stages des vacances, de 6 à 12 ans.',
    regime: 'none',
    deadline: workingDays(10),
    documents: ['Certificat médical ou questionnaire de santé', ADDRESS],
    matches: /ecole municipale des sports|stage multisports/,
  },
];

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’']/g, "'")
    .toLowerCase();

/** A demo conversation as seedDemo wrote it: what its type and due dates are computed from. */
export interface SeededConversation {
  id: string;
  teamId: string;
  subject: string | null;
  createdAt: Date;
  /** The channel of the citizen's first message (the response target depends on it). */
  firstChannelKind: ChannelKind | null;
}

/**
 * The démarches of the demo town, then the demo conversations they fit (by subject) get them,
 * and every conversation its due dates. Called by seedDemo in its transaction, after the
 * conversations and messages are written.
 */
export async function seedDemoRequestTypes(
  tx: WriterTx,
  writer: ConversationWriter,
  requestTypes: RequestTypeRepository,
  organizationId: string,
  teamIds: Map<TeamSlug, string>,
  conversations: SeededConversation[],
): Promise<void> {
  const types: (DemoRequestType & { id: string; teamId: string })[] = [];
  for (const t of DEMO_REQUEST_TYPES) {
    const teamId = teamIds.get(t.team)!;
    const created = await requestTypes.insert(tx.m, organizationId, {
      teamId,
      name: t.name,
      description: t.description,
      decisionRegime: t.regime,
      deadline: t.deadline,
      documents: t.documents,
      acknowledgementExempt: !!t.exempt,
    });
    types.push({ ...t, id: created!.id, teamId });
  }
  for (const c of conversations) {
    const subject = fold(c.subject ?? '');
    const type = types.find((t) => t.teamId === c.teamId && t.matches?.test(subject));
    const typeDto: Pick<RequestTypeDto, 'decisionRegime' | 'deadline'> | null = type
      ? { decisionRegime: type.regime, deadline: type.deadline }
      : null;
    const due = computeDueDates(
      {
        created_at: c.createdAt,
        first_channel_kind: c.firstChannelKind,
        documents_requested_at: null,
        documents_received_at: null,
        opening_hours: null,
        organization_hours: null,
        response_targets: {},
        // The demo town (99000 Démo) is created in this transaction without Alsace-Moselle's holidays
        // nor closing days, and its services keep the usual hours.
        alsace_moselle: false,
        closures: [],
      },
      typeDto,
    );
    await writer.updateConversation(
      tx,
      c.id,
      {
        requestTypeId: type?.id ?? null,
        decisionRegime: due.decisionRegime,
        decisionDueAt: due.decisionDueAt,
        decisionDueNonWorkingDay: due.decisionDueNonWorkingDay,
        responseDueAt: due.responseDueAt,
      },
      true,
    );
  }
}
