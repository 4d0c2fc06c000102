import type { ChannelKind } from '@guichet/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('channel')
export class ChannelEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('uuid', { name: 'team_id' }) teamId!: string;
  @Column('text') kind!: ChannelKind;
  @Column('text') name!: string;
  @Column('boolean') enabled!: boolean;
  /** Non-secret configuration. */
  @Column('jsonb') config!: Record<string, unknown>;
  /** Secret fields, AES-256-GCM encrypted JSON (see channel-secrets.ts). */
  @Column('text', { nullable: true, select: false }) secrets!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
