import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AgentAdminController } from './agent-admin.controller';
import { AgentAdminService } from './agent-admin.service';
import { DirectoryController } from './directory.controller';
import { DirectoryRepository } from './directory.repository';

/** Agents and teams; publishes the directory (who belongs to which team) other features check access with. */
@Global()
@Module({
  imports: [AuthModule],
  controllers: [DirectoryController, AgentAdminController],
  providers: [AgentAdminService, DirectoryRepository],
  exports: [DirectoryRepository],
})
export class AgentsModule {}
