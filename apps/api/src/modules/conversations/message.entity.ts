import type { DeliveryStatus, MessageDirection, MessageKind } from '@guichet/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('message')
export class MessageEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('uuid', { name: 'conversation_id' }) conversationId!: string;
  @Column('text') direction!: MessageDirection;
  @Column('text') kind!: MessageKind;
  @Column('uuid', { name: 'channel_id', nullable: true }) channelId!: string | null;
  @Column('uuid', { name: 'author_agent_id', nullable: true }) authorAgentId!: string | null;
  @Column('text') body!: string;
  @Column('text', { name: 'html_body', nullable: true }) htmlBody!: string | null;
  @Column('text') status!: DeliveryStatus;
  @Column('text', { nullable: true }) error!: string | null;
  @Column('text', { name: 'external_id', nullable: true }) externalId!: string | null;
  @Column('jsonb', { nullable: true }) meta!: Record<string, unknown> | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity('attachment')
export class AttachmentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('uuid', { name: 'message_id' }) messageId!: string;
  @Column('text', { name: 'file_name' }) fileName!: string;
  @Column('text', { name: 'content_type' }) contentType!: string;
  @Column('integer') size!: number;
  @Column('text') sha256!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
