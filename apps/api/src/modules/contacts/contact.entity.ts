import type { IdentityKind } from '@guichet/contracts';
import { Column, CreateDateColumn, Entity, OneToMany, ManyToOne, JoinColumn, PrimaryGeneratedColumn } from 'typeorm';

@Entity('contact')
export class ContactEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('text', { nullable: true }) name!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  @Column('timestamptz', { name: 'anonymized_at', nullable: true }) anonymizedAt!: Date | null;
  @OneToMany(() => ContactIdentityEntity, (i) => i.contact) identities!: ContactIdentityEntity[];
}

@Entity('contact_identity')
export class ContactIdentityEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('uuid', { name: 'contact_id' }) contactId!: string;
  @ManyToOne(() => ContactEntity, (c) => c.identities) @JoinColumn({ name: 'contact_id' }) contact!: ContactEntity;
  @Column('text') kind!: IdentityKind;
  @Column('text') value!: string;
  @Column('timestamptz', { name: 'opted_out_at', nullable: true }) optedOutAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
