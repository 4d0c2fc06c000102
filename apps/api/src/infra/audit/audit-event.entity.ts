import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('audit_event')
export class AuditEventEntity {
  @PrimaryGeneratedColumn('identity') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('uuid', { name: 'agent_id', nullable: true }) agentId!: string | null;
  @Column('text') action!: string;
  @Column('uuid', { name: 'conversation_id', nullable: true }) conversationId!: string | null;
  @Column('uuid', { name: 'contact_id', nullable: true }) contactId!: string | null;
  /** The services the event belongs to, fixed when written (AuditEventTeams1765030000000). */
  @Column('uuid', { name: 'team_ids', array: true, nullable: true }) teamIds!: string[] | null;
  @Column('jsonb', { nullable: true }) data!: Record<string, unknown> | null;
  /** The request's IP address and the agent's session (public id), when an agent's request wrote it (AuditEventOrigin1765091000001). */
  @Column('inet', { nullable: true }) ip!: string | null;
  @Column('uuid', { name: 'session_id', nullable: true }) sessionId!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
