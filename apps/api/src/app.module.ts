import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { pinoHttpParams, rootLogger } from './common/logging';
import { APP_CONFIG, type AppConfig } from './config';
import { dataSourceOptions } from './database/data-source';
import { CommonModule } from './common/common.module';
import { JobsModule } from './infra/jobs/jobs.module';
import { MetricsModule } from './infra/metrics/metrics.module';
import { AuditModule } from './infra/audit/audit.module';
import { BlobsModule } from './modules/blobs/blobs.module';
import { AgentsModule } from './modules/agents/agents.module';
import { AuthModule } from './modules/auth/auth.module';
import { ChannelsModule } from './modules/channels/channels.module';
import { ContactsModule } from './modules/contacts/contacts.module';
import { ConversationsModule } from './modules/conversations/conversations.module';
import { EventsModule } from './modules/events/events.module';
import { EmailModule } from './modules/email/email.module';
import { HealthModule } from './modules/health/health.module';
import { IngestModule } from './modules/ingest/ingest.module';
import { MetaModule } from './modules/meta/meta.module';
import { OrganizationsModule } from './modules/organizations/organizations.module';
import { OutboundModule } from './modules/outbound/outbound.module';
import { PublicModule } from './modules/public/public.module';
import { RealtimeModule } from './modules/realtime/realtime.module';
import { TeamsModule } from './modules/teams/teams.module';
import { RequestTypesModule } from './modules/request-types/request-types.module';
import { TelephonyModule } from './modules/telephony/telephony.module';
import { PrivacyModule } from './modules/privacy/privacy.module';
import { ProcessingRestrictionsModule } from './modules/privacy/processing-restrictions.module';
import { AuditViewerModule } from './modules/audit/audit.module';
import { AcknowledgementsModule } from './modules/acknowledgements/acknowledgements.module';
import { SignaturesModule } from './modules/signatures/signatures.module';
import { ReportsModule } from './modules/reports/reports.module';
import { SatisfactionModule } from './modules/satisfaction/satisfaction.module';
import { AdministrationsModule } from './modules/administrations/administrations.module';
import { LabelsModule } from './modules/labels/labels.module';
import { CannedRepliesModule } from './modules/canned-replies/canned-replies.module';
import { RoutingModule } from './modules/routing/routing.module';
import { MunicipalEventsModule } from './modules/municipal-events/municipal-events.module';
import { LettersModule } from './modules/letters/letters.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, extraModules: Type[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(
          pinoHttpParams(
            rootLogger({ level: config.logLevel, format: config.logFormat ?? 'json', destination: config.logDestination }),
          ),
        ),
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl, 10, config.preparedStatements ?? true)),
        { module: ConfigHolder, global: true, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] },
        CommonModule,
        JobsModule,
        MetricsModule,
        AuditModule,
        ProcessingRestrictionsModule,
        BlobsModule,
        EventsModule,
        AuthModule,
        AgentsModule,
        ChannelsModule,
        ContactsModule,
        ConversationsModule,
        EmailModule,
        IngestModule,
        MetaModule,
        OrganizationsModule,
        OutboundModule,
        PublicModule,
        RealtimeModule,
        TeamsModule,
        RequestTypesModule,
        TelephonyModule,
        PrivacyModule,
        AuditViewerModule,
        AcknowledgementsModule,
        SignaturesModule,
        ReportsModule,
        SatisfactionModule,
        LabelsModule,
        AdministrationsModule,
        RoutingModule,
        CannedRepliesModule,
        MunicipalEventsModule,
        LettersModule,
        HealthModule,
        ...extraModules,
      ],
    };
  }
}

@Module({})
class ConfigHolder {}
