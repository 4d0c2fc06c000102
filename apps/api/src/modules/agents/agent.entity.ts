import type { AgentRole } from '@guichet/contracts';
import { Column, CreateDateColumn, Entity, JoinTable, ManyToMany, PrimaryGeneratedColumn } from 'typeorm';
import { TeamEntity } from '../teams/team.entity';

@Entity('agent')
export class AgentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('text') email!: string;
  @Column('text') name!: string;
  @Column('text') role!: AgentRole;
  @Column('text', { name: 'password_hash', select: false }) passwordHash!: string;
  @Column('integer') capacity!: number;
  @Column('boolean') active!: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;

  @ManyToMany(() => TeamEntity)
  @JoinTable({ name: 'agent_team', joinColumn: { name: 'agent_id' }, inverseJoinColumn: { name: 'team_id' } })
  teams!: TeamEntity[];
}
