import { Injectable } from '@nestjs/common';
import type { IdentityKind } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { ContactRepository, type ContactRow } from './contact.repository';

/**
 * What the channel paths (webhooks and their jobs, for the system) may ask of and record on
 * citizens: who holds an identity, a provider's profile looked up once, opt-out keywords. Agents
 * reach citizens' files through ContactService, which checks their access.
 */
@Injectable()
export class ContactDirectory {
  constructor(private readonly contacts: ContactRepository) {}

  /** The contact holding this identity, or null (no lock: see ContactService.resolve to create one). */
  contactIdByIdentity(
    manager: EntityManager | undefined,
    organizationId: string,
    kind: IdentityKind,
    value: string,
  ): Promise<string | null> {
    return this.contacts.contactIdByIdentity(manager, organizationId, kind, value);
  }

  contact(organizationId: string, id: string): Promise<ContactRow | null> {
    return this.contacts.find(organizationId, id);
  }

  /** When this identity's provider profile was looked up (null: not yet), or null when nobody holds it. */
  profileFetchedAt(organizationId: string, kind: IdentityKind, value: string): ReturnType<ContactRepository['profileFetchedAt']> {
    return this.contacts.profileFetchedAt(organizationId, kind, value);
  }

  /** Caches a provider profile (see ContactRepository.cacheProfile); answers the contact and identity, or null. */
  cacheProfile(...args: Parameters<ContactRepository['cacheProfile']>): ReturnType<ContactRepository['cacheProfile']> {
    return this.contacts.cacheProfile(...args);
  }

  /** STOP / START of one identity; answers the contact holding it, or null. */
  setOptedOut(organizationId: string, kind: IdentityKind, value: string, optedOut: boolean): Promise<string | null> {
    return this.contacts.setOptedOut(organizationId, kind, value, optedOut);
  }
}
