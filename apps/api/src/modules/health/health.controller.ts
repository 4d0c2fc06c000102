import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/auth-agent';
import { Database } from '../../common/database.service';
import { AppError } from '../../common/errors';

@ApiTags('santé')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly db: Database) {}

  @Get()
  async health(): Promise<{ status: 'ok' }> {
    try {
      await this.db.query('SELECT 1');
    } catch {
      throw new AppError('unavailable', 'base de données injoignable');
    }
    return { status: 'ok' };
  }
}
