import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AccountController } from './account.controller';
import { AccountRepository } from './account.repository';
import { AccountService } from './account.service';
import { AgentAdminController } from './agent-admin.controller';
import { AgentAdminService } from './agent-admin.service';
import { AgentDirectory } from './agent-directory.service';
import { DirectoryController } from './directory.controller';
import { DirectoryRepository } from './directory.repository';

/**
 * Agents and teams; publishes AgentDirectory, what other features may ask of agents and teams,
 * and AccountService, whose invitations the platform's creation of a town sends.
 */
@Global()
@Module({
  imports: [AuthModule],
  controllers: [DirectoryController, AgentAdminController, AccountController],
  providers: [AgentAdminService, DirectoryRepository, AgentDirectory, AccountService, AccountRepository],
  exports: [AgentDirectory, AccountService],
})
export class AgentsModule {}
