import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';

/** One sealed value (encryptSecrets' `v1.…`) and the AAD it was sealed with. */
export interface SealedValue {
  table: 'channel' | 'oidc_provider' | 'organization' | 'agent_session';
  id: string;
  aad: string;
  sealed: string;
}

/**
 * Every value sealed with ENCRYPTION_KEY, whichever feature wrote it: channel secrets, sign-in
 * providers' client secrets, the organization's mail password, OIDC sessions' id tokens. The AAD
 * is rebuilt as each writer binds it (channel-secrets.ts, oidc-*.service.ts, organization-mail.service.ts).
 */
@Injectable()
export class KeyRotationRepository {
  constructor(private readonly db: Database) {}

  tx<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.tx((m) => work(m));
  }

  /** All of them, rows locked until the transaction ends. */
  async sealedValues(m: EntityManager): Promise<SealedValue[]> {
    return this.db.query<SealedValue>(
      `SELECT 'channel' AS "table", id::text AS id, id::text AS aad, secrets AS sealed FROM channel WHERE secrets IS NOT NULL
       UNION ALL
       SELECT 'oidc_provider', id::text, id::text, client_secret_enc FROM oidc_provider
       UNION ALL
       SELECT 'organization', id::text, 'organization-mail:' || id, mail_secret FROM organization WHERE mail_secret IS NOT NULL
       UNION ALL
       SELECT 'agent_session', encode(token_hash, 'hex'), 'id_token:' || oidc_provider_id, id_token FROM agent_session
        WHERE id_token IS NOT NULL AND oidc_provider_id IS NOT NULL`,
      [],
      m,
    );
  }

  async lockAll(m: EntityManager): Promise<void> {
    await this.db.query(`LOCK TABLE channel, oidc_provider, organization, agent_session IN SHARE ROW EXCLUSIVE MODE`, [], m);
  }

  async reseal(m: EntityManager, v: SealedValue, sealed: string): Promise<void> {
    const sql = {
      channel: `UPDATE channel SET secrets = $2 WHERE id = $1::uuid`,
      oidc_provider: `UPDATE oidc_provider SET client_secret_enc = $2 WHERE id = $1::uuid`,
      organization: `UPDATE organization SET mail_secret = $2 WHERE id = $1::uuid`,
      agent_session: `UPDATE agent_session SET id_token = $2 WHERE token_hash = decode($1, 'hex')`,
    } satisfies Record<SealedValue['table'], string>;
    await this.db.query(sql[v.table], [v.id, sealed], m);
  }
}
