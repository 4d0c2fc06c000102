import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';

/** What an agent's signature in a service is written from. */
export interface SignatureRow {
  agent_name: string;
  job_title: string;
  sign_as_service: boolean;
  team_name: string;
  team_address: string | null;
  organization_name: string;
  organization_address: string;
  /** The service's own template, else the organization's ('' : DEFAULT_SIGNATURE_TEMPLATE). */
  template: string;
  sign_replies: boolean;
  legal_footer: string;
}

@Injectable()
export class SignatureRepository {
  constructor(private readonly db: Database) {}

  /** The agent and a service of their organization (undefined when either is not there). */
  async facts(organizationId: string, agentId: string, teamId: string, m?: EntityManager): Promise<SignatureRow | undefined> {
    const [row] = await this.db.query<SignatureRow>(
      `SELECT a.name AS agent_name, a.job_title, a.sign_as_service, t.name AS team_name, t.contact->>'address' AS team_address,
              o.name AS organization_name, o.address AS organization_address,
              coalesce(t.signature, o.signature) AS template,
              o.sign_replies, o.legal_footer
         FROM agent a
         JOIN organization o ON o.id = a.organization_id
         JOIN team t ON t.organization_id = o.id AND t.id = $3
        WHERE a.id = $2 AND a.organization_id = $1`,
      [organizationId, agentId, teamId],
      m,
    );
    return row;
  }

  async update(agentId: string, v: { jobTitle?: string; signAsService?: boolean }): Promise<void> {
    await this.db.query(
      `UPDATE agent SET job_title = coalesce($2, job_title), sign_as_service = coalesce($3, sign_as_service) WHERE id = $1`,
      [agentId, v.jobTitle ?? null, v.signAsService ?? null],
    );
  }
}
