import type { CreateAdministrationInput } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import type { AdministrationRepository } from '../modules/administrations/administration.repository';

/**
 * The administrations Ville de Démo forwards requests to (CRPA L114-2): those of its fictitious
 * département, the Val-de-Démo. Their addresses are on the reserved `.example` domain (RFC 2606),
 * so a demo transfer never reaches a real office.
 */
export const DEMO_ADMINISTRATIONS: CreateAdministrationInput[] = [
  {
    kind: 'prefecture',
    name: 'Préfecture du Val-de-Démo — service des étrangers',
    email: 'pref-etrangers@prefecture.val-de-demo.example',
    address: '12 avenue de la République, 99000 Démo',
    phone: '01 23 45 10 00',
    website: 'https://www.prefecture.val-de-demo.example',
  },
  {
    kind: 'prefecture',
    name: 'Préfecture du Val-de-Démo — cartes grises et permis de conduire',
    email: 'pref-titres@prefecture.val-de-demo.example',
    address: '12 avenue de la République, 99000 Démo',
    phone: '01 23 45 10 10',
    website: 'https://www.prefecture.val-de-demo.example',
  },
  {
    kind: 'caf',
    name: 'Caisse d’allocations familiales du Val-de-Démo',
    email: 'accueil@caf.val-de-demo.example',
    address: '4 rue des Allocations, 99010 Démo Cedex',
    phone: '01 23 45 20 00',
    website: 'https://www.caf.val-de-demo.example',
  },
  {
    kind: 'departement',
    name: 'Conseil départemental du Val-de-Démo — solidarités',
    email: 'solidarites@departement.val-de-demo.example',
    address: 'Hôtel du Département, 1 cours du Général, 99000 Démo',
    phone: '01 23 45 30 00',
    website: 'https://www.departement.val-de-demo.example',
  },
  {
    kind: 'intercommunalite',
    name: 'Communauté de communes Démo Agglo — collecte des déchets',
    email: 'dechets@demo-agglo.example',
    address: '8 rue des Tilleuls, 99000 Démo',
    phone: '01 23 45 40 00',
    website: 'https://www.demo-agglo.example',
  },
];

export async function seedDemoAdministrations(m: EntityManager, repo: AdministrationRepository, orgId: string): Promise<void> {
  for (const a of DEMO_ADMINISTRATIONS) await repo.insert(m, orgId, a);
}
