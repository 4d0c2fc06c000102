import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AgentAdminController } from './agent-admin.controller';
import { AgentAdminService } from './agent-admin.service';
import { DirectoryController } from './directory.controller';

@Module({ imports: [AuthModule], controllers: [DirectoryController, AgentAdminController], providers: [AgentAdminService] })
export class AgentsModule {}
