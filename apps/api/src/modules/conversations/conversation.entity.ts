import type { ChannelKind, ConversationStatus, Priority } from '@guichet/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('conversation')
export class ConversationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('text') reference!: string;
  @Column('uuid', { name: 'contact_id' }) contactId!: string;
  @Column('uuid', { name: 'team_id' }) teamId!: string;
  @Column('uuid', { name: 'assignee_id', nullable: true }) assigneeId!: string | null;
  @Column('text') status!: ConversationStatus;
  @Column('text') priority!: Priority;
  @Column('text', { nullable: true }) subject!: string | null;
  @Column('text', { nullable: true }) snippet!: string | null;
  @Column('text', { name: 'last_channel_kind', nullable: true }) lastChannelKind!: ChannelKind | null;
  @Column('boolean') unread!: boolean;
  @Column('boolean', { name: 'callback_needed' }) callbackNeeded!: boolean;
  @Column('uuid', { name: 'possibly_related_to_id', nullable: true }) possiblyRelatedToId!: string | null;
  @Column('timestamptz', { name: 'snoozed_until', nullable: true }) snoozedUntil!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'last_message_at' }) lastMessageAt!: Date;
  @Column('timestamptz', { name: 'last_inbound_at', nullable: true }) lastInboundAt!: Date | null;
  @Column('timestamptz', { name: 'first_response_at', nullable: true }) firstResponseAt!: Date | null;
  @Column('timestamptz', { name: 'resolved_at', nullable: true }) resolvedAt!: Date | null;
  @Column('integer') version!: number;
  /** The name given in this conversation: what agents who only see this conversation may know (migration UnverifiedSenders). */
  @Column('text', { name: 'citizen_name', nullable: true }) citizenName!: string | null;
  /** The citizen's identities seen in this conversation. */
  @Column('uuid', { name: 'identity_ids', array: true }) identityIds!: string[];
}
