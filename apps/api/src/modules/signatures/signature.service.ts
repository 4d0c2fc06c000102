import { Injectable } from '@nestjs/common';
import {
  SIGNATURE_FORMS,
  renderSignature,
  signedBody,
  withLegalFooter,
  type AgentSignatureDto,
  type ChannelKind,
  type SignatureFacts,
  type UpdateAgentSignatureInput,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import type { AuthAgent } from '../../common/auth-agent';
import { badRequest } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { SignatureRepository, type SignatureRow } from './signature.repository';

const factsOf = (r: SignatureRow): SignatureFacts => ({
  agent: { name: r.agent_name, jobTitle: r.job_title, signAsService: r.sign_as_service },
  // The service's own address, else the town hall's.
  service: { name: r.team_name, address: r.team_address || r.organization_address },
  commune: r.organization_name,
});

/**
 * L111-2: every reply names the agent who handles the request (first name, name, role, service,
 * its address), from the service's signature template, else the organization's (the one choice:
 * SignatureRepository.facts); an agent may sign with the service only. E-mail and tracking-page
 * replies then end with the organization's legal footer, if any.
 * Applied by the server when a reply is stored (what is sent is what the thread shows).
 */
@Injectable()
export class SignatureService {
  constructor(
    private readonly repo: SignatureRepository,
    private readonly audit: AuditRepository,
  ) {}

  /** The reply's body as it goes out on this channel, signed. */
  async sign(
    m: EntityManager,
    agent: Pick<AuthAgent, 'id' | 'organizationId'>,
    teamId: string,
    kind: ChannelKind,
    body: string,
  ): Promise<string> {
    const form = SIGNATURE_FORMS[kind];
    if (!form) return body;
    const row = await this.repo.facts(agent.organizationId, agent.id, teamId, m);
    if (!row) return body;
    const signed = row.sign_replies ? signedBody(body, renderSignature(row.template, form, factsOf(row)), form) : body;
    return form === 'full' ? withLegalFooter(signed, row.legal_footer) : signed;
  }

  async mine(agent: AuthAgent, teamId: string | undefined): Promise<AgentSignatureDto> {
    const team = teamId ?? agent.teamIds[0];
    if (!team) throw badRequest('précisez le service (teamId)', ['teamId: obligatoire']);
    const row = await this.repo.facts(agent.organizationId, agent.id, team);
    if (!row) throw badRequest('service inconnu', [`teamId: ${team}`]);
    const facts = factsOf(row);
    return {
      enabled: row.sign_replies,
      jobTitle: row.job_title,
      signAsService: row.sign_as_service,
      full: renderSignature(row.template, 'full', facts),
      short: renderSignature(row.template, 'short', facts),
      legalFooter: row.legal_footer.trim(),
    };
  }

  async update(agent: AuthAgent, input: UpdateAgentSignatureInput, teamId: string | undefined): Promise<AgentSignatureDto> {
    await this.repo.update(agent.id, input);
    await this.audit.record({
      organizationId: agent.organizationId,
      agentId: agent.id,
      action: 'agent.updated',
      data: { agentId: agent.id, signature: input },
    });
    return this.mine(agent, teamId);
  }
}
