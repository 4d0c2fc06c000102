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
}
