import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/auth-agent';
import { AppError } from '../../common/errors';
import { HealthRepository } from './health.repository';

@ApiTags('santé')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly repo: HealthRepository) {}

  @Get()
  async health(): Promise<{ status: 'ok' }> {
    try {
      await this.repo.ping();
    } catch {
      throw new AppError('unavailable', 'base de données injoignable');
    }
    return { status: 'ok' };
  }

  /** Liveness: the process answers HTTP. Touches nothing else (a database outage must not get it restarted). */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the database answers and every migration of this version has run. */
  @Get('ready')
  async ready(): Promise<{ status: 'ok' }> {
    let pending: boolean;
    try {
      pending = await this.repo.pendingMigrations();
    } catch {
      throw new AppError('unavailable', 'base de données injoignable');
    }
    if (pending) throw new AppError('unavailable', 'migrations de la base de données non appliquées');
    return { status: 'ok' };
  }
}
