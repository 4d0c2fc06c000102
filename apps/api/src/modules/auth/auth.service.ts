import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { LoginInput } from '@guichet/contracts';
import { APP_CONFIG, type AppConfig } from '../../config';
import type { AuthAgent } from '../../common/auth-agent';
import { unauthorized } from '../../common/errors';
import { verifyAgainstDummy, verifyPassword } from '../../common/password';
import { RateLimiter } from '../../common/rate-limiter';
import { AuthRepository } from './auth.repository';

@Injectable()
export class AuthService {
  constructor(
    private readonly repo: AuthRepository,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async login(input: LoginInput, ip: string): Promise<{ token: string; expiresAt: Date; agent: AuthAgent }> {
    const email = input.email.toLowerCase();
    const message = 'trop de tentatives de connexion : réessayez dans quelques minutes';
    await this.limiter.hit(`login:ip:${ip}`, this.config.loginAttemptsPerQuarter * 5, 900, message);
    await this.limiter.hit(`login:email:${email}`, this.config.loginAttemptsPerQuarter, 900, message);
    const found = await this.repo.findForLogin(email);
    const ok = found ? await verifyPassword(input.password, found.passwordHash) : await verifyAgainstDummy(input.password);
    if (!found || !ok) throw unauthorized('adresse e-mail ou mot de passe incorrect');
    const token = randomBytes(32).toString('base64url');
    const expiresAt = await this.repo.createSession(found.id, token, this.config.sessionTtlHours);
    const { passwordHash: _, ...agent } = found;
    return { token, expiresAt, agent };
  }

  authenticate(token: string | undefined): Promise<AuthAgent | null> {
    if (!token || token.length > 200) return Promise.resolve(null);
    return this.repo.findBySession(token);
  }

  logout(token: string): Promise<void> {
    return this.repo.deleteSession(token);
  }
}
