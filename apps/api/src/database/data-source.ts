import { DataSource, type DataSourceOptions } from 'typeorm';
import { AgentEntity } from '../modules/agents/agent.entity';
import { AuditEventEntity } from '../infra/audit/audit-event.entity';
import { ChannelEntity } from '../modules/channels/channel.entity';
import { ContactEntity, ContactIdentityEntity } from '../modules/contacts/contact.entity';
import { ConversationEntity } from '../modules/conversations/conversation.entity';
import { AttachmentEntity, MessageEntity } from '../modules/conversations/message.entity';
import { OrganizationEntity } from '../modules/organizations/organization.entity';
import { TeamEntity } from '../modules/teams/team.entity';
import { CleaningClient, PreparingClient } from './preparing-client';
import { OrganizationLogo1764867000001 } from './migrations/1764867000001-organization-logo';
import { DeadlineWarnings1764871000000 } from './migrations/1764871000000-deadline-warnings';
import { ConversationTransmitted1764871000001 } from './migrations/1764871000001-conversation-transmitted';
import { IngestPreviousStatus1764873000000 } from './migrations/1764873000000-ingest-previous-status';
import { IngestOneFunction1765060000000 } from './migrations/1765060000000-ingest-one-function';
import { SmsThreadLatestFile1765060000001 } from './migrations/1765060000001-sms-thread-latest-file';
import { ConversationDerivedColumns1765071000000 } from './migrations/1765071000000-conversation-derived-columns';
import { ContactMergeChoices1765073000000 } from './migrations/1765073000000-contact-merge-choices';
import { ExternalAdministrations1765074000000 } from './migrations/1765074000000-external-administrations';
import { ReportLabelsAgentsHours1765075000000 } from './migrations/1765075000000-report-labels-agents-hours';
import { IngestSetWrites1765081000000 } from './migrations/1765081000000-ingest-set-writes';
import { AuditEventTimeOrderedKeys1765082000000 } from './migrations/1765082000000-audit-event-time-ordered-keys';
import { EventBookingLeadTimes1765090000000 } from './migrations/1765090000000-event-booking-lead-times';
import { QuarantinePurge1765091000000 } from './migrations/1765091000000-quarantine-purge';
import { AuditEventOrigin1765091000001 } from './migrations/1765091000001-audit-event-origin';
import { DeadlineDigestPreferences1765092000000 } from './migrations/1765092000000-deadline-digest-preferences';
import { ServiceTransferNotice1765092000001 } from './migrations/1765092000001-service-transfer-notice';
import { ReportLegalDeadline1765093000000 } from './migrations/1765093000000-report-legal-deadline';
import { WebhookInbox1765095000000 } from './migrations/1765095000000-webhook-inbox';
import { WebhookInboxLease1765095000001 } from './migrations/1765095000001-webhook-inbox-lease';
import { ReportFold1765096000000 } from './migrations/1765096000000-report-fold';
import { ReportLabelMonthly1765096000001 } from './migrations/1765096000001-report-label-monthly';
import { ReportTeamMonthly1765096000002 } from './migrations/1765096000002-report-team-monthly';
import { RegistrationCancelledBy1765097000000 } from './migrations/1765097000000-registration-cancelled-by';
import { EventSessions1765097000001 } from './migrations/1765097000001-event-sessions';
import { QuarantineNoDiscardedAt1765098000000 } from './migrations/1765098000000-quarantine-no-discarded-at';
import { MailReportPurge1765098000001 } from './migrations/1765098000001-mail-report-purge';
import { DecisionNonWorkingDay1765099000000 } from './migrations/1765099000000-decision-non-working-day';
import { MessageSending1765100000000 } from './migrations/1765100000000-message-sending';
import { ReportPendingChannel1765101000000 } from './migrations/1765101000000-report-pending-channel';
import { ReportTablesSerial1765101000001 } from './migrations/1765101000001-report-tables-serial';
import { ReportLabelStatistics1765101000002 } from './migrations/1765101000002-report-label-statistics';
import { LetterSenderKey1765102000000 } from './migrations/1765102000000-letter-sender-key';
import { LetterAnswerPosted1765108000000 } from './migrations/1765108000000-letter-answer-posted';
import { RegistrationChannel1765103000000 } from './migrations/1765103000000-registration-channel';
import { IngestOneWriteStatement1765105000000 } from './migrations/1765105000000-ingest-one-write-statement';
import { SearchIndexVisibility1765107000000 } from './migrations/1765107000000-search-index-visibility';
import { ProcessingRestriction1765109000000 } from './migrations/1765109000000-processing-restriction';
import { LimitedSince1765111000000 } from './migrations/1765111000000-limited-since';
import { RegistrationGroupFunction1765113000000 } from './migrations/1765113000000-registration-group-function';
import { IngestFrozenFiles1765114000000 } from './migrations/1765114000000-ingest-frozen-files';
import { SearchDocInline1765115000000 } from './migrations/1765115000000-search-doc-inline';
import { ContactNameDiffers1765125000000 } from './migrations/1765125000000-contact-name-differs';
import { TeamSignature1765126000000 } from './migrations/1765126000000-team-signature';
import { RateLimitUnlogged1765128000000 } from './migrations/1765128000000-rate-limit-unlogged';
import { ContactNameDiffersNewCitizens1765131000000 } from './migrations/1765131000000-contact-name-differs-new-citizens';
import { SendPace1765132000000 } from './migrations/1765132000000-send-pace';
import { SearchWordsByService1765133000000 } from './migrations/1765133000000-search-words-by-service';
import { RequestTypeAcknowledgementTexts1765122000000 } from './migrations/1765122000000-request-type-acknowledgement-texts';
import { AccessibilityStatement1765124000000 } from './migrations/1765124000000-accessibility-statement';
import { PlatformAdmin1764867000000 } from './migrations/1764867000000-platform-admin';
import { OpenDataPublication1764872000000 } from './migrations/1764872000000-open-data-publication';
import { InitialSchema1764300000000 } from './migrations/1764300000000-initial-schema';
import { MetaProfiles1764306000006 } from './migrations/1764306000006-meta-profiles';
import { EmailMailbox1764303000003 } from './migrations/1764303000003-email-mailbox';
import { IngestFunction1764400000000 } from './migrations/1764400000000-ingest-function';
import { UnverifiedSenders1764500000000 } from './migrations/1764500000000-unverified-senders';
import { LoginThrottle1764500000007 } from './migrations/1764500000007-login-throttle';
import { AttachmentBlobIndex1764500000009 } from './migrations/1764500000009-attachment-blob-index';
import { SearchIgnoresMarkup1764500000012 } from './migrations/1764500000012-search-ignores-markup';
import { ChannelKindsUnchecked1764600000411 } from './migrations/1764600000411-channel-kinds-unchecked';
import { DomainEventReceipts1764600000011 } from './migrations/1764600000011-domain-event-receipts';
import { MailboxEvent1764600014000 } from './migrations/1764600014000-mailbox-event';
import { IngestOutbox1764710000001 } from './migrations/1764710000001-ingest-outbox';
import { Administration1764730000001 } from './migrations/1764730000001-administration';
import { OidcSignIn1764740000001 } from './migrations/1764740000001-oidc-sign-in';
import { SearchDocumentAndCounters1764750000000 } from './migrations/1764750000000-search-document-and-counters';
import { RequestTypes1764770000000 } from './migrations/1764770000000-request-types';
import { Acknowledgements1764810000000 } from './migrations/1764810000000-acknowledgements';
import { SignReplies1764810000001 } from './migrations/1764810000001-sign-replies';
import { Labels1764820000000 } from './migrations/1764820000000-labels';
import { Routing1764820000100 } from './migrations/1764820000100-routing';
import { ReportsAndSatisfaction1764830000000 } from './migrations/1764830000000-reports-and-satisfaction';
import { ReportBackfill1764830000001 } from './migrations/1764830000001-report-backfill';
import { Privacy1764840000000 } from './migrations/1764840000000-privacy';
import { RetentionSearchRefresh1764840000001 } from './migrations/1764840000001-retention-search-refresh';
import { MailboxEventLeftInMailbox1764850000000 } from './migrations/1764850000000-mailbox-event-left-in-mailbox';
import { MunicipalEvents1764851000000 } from './migrations/1764851000000-municipal-events';
import { CannedReplies1764852000000 } from './migrations/1764852000000-canned-replies';
import { AdministrationTransfers1764863000000 } from './migrations/1764863000000-administration-transfers';
import { SatisfactionComments1764853000000 } from './migrations/1764853000000-satisfaction-comments';
import { ContactMerge1764854000000 } from './migrations/1764854000000-contact-merge';
import { RightsRequests1764854000001 } from './migrations/1764854000001-rights-requests';
import { IngestFunctionRows1764860000000 } from './migrations/1764860000000-ingest-function-rows';
import { SearchWordsOnce1764860000001 } from './migrations/1764860000001-search-words-once';
import { IngestSearchInline1764856000000 } from './migrations/1764856000000-ingest-search-inline';
import { RegistrantRetention1764865000000 } from './migrations/1764865000000-registrant-retention';
import { OrganizationArchive1765030000001 } from './migrations/1765030000001-organization-archive';
import { AuditEventTeams1765030000000 } from './migrations/1765030000000-audit-event-teams';
import { FormReplyNotice1764855000000 } from './migrations/1764855000000-form-reply-notice';
import { ReportMonthly1764864000000 } from './migrations/1764864000000-report-monthly';
import { EventCancelCutoff1764861000000 } from './migrations/1764861000000-event-cancel-cutoff';

export const ENTITIES = [
  OrganizationEntity,
  TeamEntity,
  AgentEntity,
  ContactEntity,
  ContactIdentityEntity,
  ChannelEntity,
  ConversationEntity,
  MessageEntity,
  AttachmentEntity,
  AuditEventEntity,
];

/** Migration classes are listed, not globbed (a glob also catches `.d.ts`). */
export const MIGRATIONS = [
  InitialSchema1764300000000,
  EmailMailbox1764303000003,
  MetaProfiles1764306000006,
  IngestFunction1764400000000,
  UnverifiedSenders1764500000000,
  LoginThrottle1764500000007,
  AttachmentBlobIndex1764500000009,
  SearchIgnoresMarkup1764500000012,
  DomainEventReceipts1764600000011,
  ChannelKindsUnchecked1764600000411,
  MailboxEvent1764600014000,
  IngestOutbox1764710000001,
  Administration1764730000001,
  OidcSignIn1764740000001,
  SearchDocumentAndCounters1764750000000,
  RequestTypes1764770000000,
  Acknowledgements1764810000000,
  SignReplies1764810000001,
  Labels1764820000000,
  Routing1764820000100,
  ReportsAndSatisfaction1764830000000,
  ReportBackfill1764830000001,
  Privacy1764840000000,
  RetentionSearchRefresh1764840000001,
  MailboxEventLeftInMailbox1764850000000,
  MunicipalEvents1764851000000,
  CannedReplies1764852000000,
  SatisfactionComments1764853000000,
  ContactMerge1764854000000,
  RightsRequests1764854000001,
  IngestSearchInline1764856000000,
  FormReplyNotice1764855000000,
  IngestFunctionRows1764860000000,
  SearchWordsOnce1764860000001,
  EventCancelCutoff1764861000000,
  AdministrationTransfers1764863000000,
  ReportMonthly1764864000000,
  RegistrantRetention1764865000000,
  PlatformAdmin1764867000000,
  OrganizationLogo1764867000001,
  DeadlineWarnings1764871000000,
  ConversationTransmitted1764871000001,
  OpenDataPublication1764872000000,
  IngestPreviousStatus1764873000000,
  AuditEventTeams1765030000000,
  OrganizationArchive1765030000001,
  IngestOneFunction1765060000000,
  SmsThreadLatestFile1765060000001,
  ConversationDerivedColumns1765071000000,
  ContactMergeChoices1765073000000,
  ExternalAdministrations1765074000000,
  ReportLabelsAgentsHours1765075000000,
  IngestSetWrites1765081000000,
  AuditEventTimeOrderedKeys1765082000000,
  EventBookingLeadTimes1765090000000,
  QuarantinePurge1765091000000,
  AuditEventOrigin1765091000001,
  DeadlineDigestPreferences1765092000000,
  ServiceTransferNotice1765092000001,
  ReportLegalDeadline1765093000000,
  WebhookInbox1765095000000,
  WebhookInboxLease1765095000001,
  ReportFold1765096000000,
  ReportLabelMonthly1765096000001,
  ReportTeamMonthly1765096000002,
  RegistrationCancelledBy1765097000000,
  EventSessions1765097000001,
  QuarantineNoDiscardedAt1765098000000,
  MailReportPurge1765098000001,
  DecisionNonWorkingDay1765099000000,
  MessageSending1765100000000,
  ReportPendingChannel1765101000000,
  ReportTablesSerial1765101000001,
  ReportLabelStatistics1765101000002,
  LetterSenderKey1765102000000,
  RegistrationChannel1765103000000,
  IngestOneWriteStatement1765105000000,
  SearchIndexVisibility1765107000000,
  LetterAnswerPosted1765108000000,
  ProcessingRestriction1765109000000,
  LimitedSince1765111000000,
  RegistrationGroupFunction1765113000000,
  IngestFrozenFiles1765114000000,
  SearchDocInline1765115000000,
  RequestTypeAcknowledgementTexts1765122000000,
  AccessibilityStatement1765124000000,
  ContactNameDiffers1765125000000,
  TeamSignature1765126000000,
  RateLimitUnlogged1765128000000,
  ContactNameDiffersNewCitizens1765131000000,
  SendPace1765132000000,
  SearchWordsByService1765133000000,
];

export function dataSourceOptions(url: string, poolSize = 10, preparedStatements = true): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Callers handle query errors; TypeORM's own log would print every failed query's parameters (citizens' data).
    logging: false,
    extra: { max: poolSize, application_name: 'guichet', Client: preparedStatements ? PreparingClient : CleaningClient },
  };
}

/** For the TypeORM CLI: `typeorm-ts-node-commonjs migration:run -d apps/api/src/database/data-source.ts`. */
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://localhost/guichet'));
