import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { passwordProblem, type ChangePasswordInput, type LoginInput } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config';
import type { AuthAgent } from '../../common/auth-agent';
import { Database, type AfterCommit } from '../../common/database';
import { badRequest, forbidden, unauthorized } from '../../common/errors';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../../common/password';
import { RateLimiter } from '../../common/rate-limiter';
import { currentOrigin } from '../../common/request-context';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { AuthRepository, sessionId, type SessionMeta } from './auth.repository';
import { LoginLimiter } from './login-limiter';
import { csrfMatches } from './session-cookie';

const LAST_SEEN_PRECISION_MS = 60_000;

@Injectable()
export class AuthService {
  constructor(
    private readonly repo: AuthRepository,
    private readonly loginLimiter: LoginLimiter,
    private readonly limiter: RateLimiter,
    private readonly db: Database,
    private readonly audit: AuditRepository,
    private readonly realtime: RealtimePublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async login(input: LoginInput, ip: string, userAgent?: string): Promise<{ token: string; expiresAt: Date; agent: AuthAgent }> {
    const email = input.email.toLowerCase();
    const attempt = await this.loginLimiter.admit(email, ip);
    const found = await this.repo.findForLogin(email);
    const ok = found ? await verifyPassword(input.password, found.passwordHash) : await verifyAgainstDummy(input.password);
    if (!found || !ok) {
      await this.loginLimiter.failed(attempt);
      // A wrong password for an account is the account's organization's business (who tried, from
      // where); an unknown address belongs to no organization, and is not kept (it may be anyone's).
      if (found)
        await this.audit.record({
          organizationId: found.organizationId,
          agentId: found.id,
          action: 'agent.sign_in_failed',
          data: { method: 'password' },
        });
      throw unauthorized('adresse e-mail ou mot de passe incorrect');
    }
    await this.loginLimiter.succeeded(attempt);
    const { passwordHash: _, archivedOrganization, ...agent } = found;
    // Said only once the password is right: nobody learns from it which addresses have accounts.
    if (archivedOrganization)
      throw forbidden(
        `« ${archivedOrganization} » est archivée sur cette plateforme : la connexion n’y est plus possible (adressez-vous à l’administrateur de la plateforme)`,
      );
    const { token, expiresAt, publicId } = await this.openSession(agent.id, { ip, userAgent });
    await this.audit.record({
      organizationId: agent.organizationId,
      agentId: agent.id,
      action: 'agent.signed_in',
      data: { method: 'password' },
      origin: { ...currentOrigin(), sessionId: publicId },
    });
    return { token, expiresAt, agent };
  }

  /**
   * A new session of the agent (password or OIDC sign-in): its token goes to the browser only;
   * its public id is the one the audit and the agent's session list name it by.
   */
  async openSession(agentId: string, meta: SessionMeta): Promise<{ token: string; expiresAt: Date; publicId: string }> {
    const token = randomBytes(32).toString('base64url');
    const { expiresAt, publicId } = await this.repo.createSession(agentId, token, this.config.sessionTtlHours, meta);
    return { token, expiresAt, publicId };
  }

  async authenticate(token: string | undefined): Promise<AuthAgent | null> {
    if (!token || token.length > 200) return null;
    const found = await this.repo.findBySession(sessionId(token));
    if (!found) return null;
    const { lastSeenAt, ...agent } = found;
    // "Last seen" of the session list, written at most once a minute per session, off the request's path.
    if (Date.now() - lastSeenAt.getTime() > LAST_SEEN_PRECISION_MS) {
      this.repo.touchSession(agent.session!.id).catch(() => undefined);
    }
    return agent;
  }

  /** Whether `presented` is the CSRF token of this session (cookie sessions, session-cookie.ts). */
  csrfMatches(token: string, presented: unknown): boolean {
    return csrfMatches(this.config.appSecret, token, presented);
  }

  /** The agent of a session as they are now (role, services), or null once it ended. */
  async sessionAgent(id: string): Promise<AuthAgent | null> {
    const found = await this.repo.findBySession(id);
    if (!found) return null;
    const { lastSeenAt: _, ...agent } = found;
    return agent;
  }

  /** Ends the session: REST answers 401 and its sockets close, on every instance. */
  async logout(token: string): Promise<void> {
    const id = sessionId(token);
    await this.repo.deleteSession(id);
    this.realtime.closeSession(id);
  }

  /**
   * Ends the agent's sessions but `exceptSessionId` within the caller's transaction; their
   * sockets close once it committed. Returns how many ended.
   */
  async endSessions(m: EntityManager, afterCommit: AfterCommit, agentId: string, exceptSessionId?: string): Promise<number> {
    const ended = await this.repo.deleteSessions(m, agentId, exceptSessionId);
    afterCommit(() => this.realtime.closeAgentSockets(agentId, exceptSessionId));
    return ended;
  }

  /** The agent's own password: the current one is checked; every other session of theirs ends. */
  async changePassword(agent: AuthAgent, input: ChangePasswordInput): Promise<void> {
    await this.limiter.hit(`password:${agent.id}`, 10, 900, 'trop de tentatives : réessayez dans quelques minutes');
    const stored = await this.repo.passwordHash(agent.id);
    if (!stored || !(await verifyPassword(input.currentPassword, stored))) throw badRequest('mot de passe actuel incorrect');
    if (input.newPassword === input.currentPassword) throw badRequest('le nouveau mot de passe doit être différent de l’actuel');
    const problem = passwordProblem(input.newPassword, agent.email);
    if (problem) throw badRequest(problem);
    const hash = await hashPassword(input.newPassword);
    await this.db.tx(async (m, afterCommit) => {
      await this.repo.setPasswordHash(m, agent.id, hash);
      const sessionsEnded = await this.endSessions(m, afterCommit, agent.id, agent.session?.id);
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'agent.password_changed',
          data: { agentId: agent.id, sessionsEnded },
        },
        m,
      );
    });
  }
}
