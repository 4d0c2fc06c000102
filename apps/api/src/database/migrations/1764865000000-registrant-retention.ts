import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention of municipal-event registrants (issues 16 and 17): each organization sets how many days
 * after an event its registrants are anonymized (90 by default: the three months the arrêté of
 * 4 July 2013 allows a portal that only forwards requests, and Publik's ~90 days after
 * processing; long enough for a dispute about who came or a late refund). An anonymized
 * registration keeps what counts (places, status, attendance, dates) and loses the name, the
 * e-mail, the phone, the answers and its links to the citizen's file; it then carries neither
 * e-mail nor phone, which the row's check allowed only before.
 */
export class RegistrantRetention1764865000000 implements MigrationInterface {
  name = 'RegistrantRetention1764865000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE organization ADD COLUMN event_registration_retention_days integer NOT NULL DEFAULT 90
        CHECK (event_registration_retention_days BETWEEN 1 AND 3650)`);
    await q.query(`ALTER TABLE municipal_event_registration ADD COLUMN anonymized_at timestamptz`);
    // The unnamed CHECK (email IS NOT NULL OR phone IS NOT NULL) of MunicipalEvents1764851000000.
    await q.query(`
      DO $$
      DECLARE c text;
      BEGIN
        FOR c IN SELECT conname FROM pg_constraint
                  WHERE conrelid = 'municipal_event_registration'::regclass AND contype = 'c'
                    AND pg_get_constraintdef(oid) LIKE '%email IS NOT NULL%phone IS NOT NULL%'
        LOOP
          EXECUTE format('ALTER TABLE municipal_event_registration DROP CONSTRAINT %I', c);
        END LOOP;
      END $$`);
    await q.query(`
      ALTER TABLE municipal_event_registration ADD CONSTRAINT municipal_event_registration_reachable_check
        CHECK (anonymized_at IS NOT NULL OR email IS NOT NULL OR phone IS NOT NULL)`);
    // The retention run walks past events that still have registrants to anonymize.
    await q.query(`
      CREATE INDEX municipal_event_registration_to_anonymize_idx ON municipal_event_registration (event_id)
       WHERE anonymized_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX municipal_event_registration_to_anonymize_idx`);
    await q.query(`DELETE FROM municipal_event_registration WHERE email IS NULL AND phone IS NULL`);
    await q.query(`ALTER TABLE municipal_event_registration DROP CONSTRAINT municipal_event_registration_reachable_check`);
    await q.query(`ALTER TABLE municipal_event_registration ADD CHECK (email IS NOT NULL OR phone IS NOT NULL)`);
    await q.query(`ALTER TABLE municipal_event_registration DROP COLUMN anonymized_at`);
    await q.query(`ALTER TABLE organization DROP COLUMN event_registration_retention_days`);
  }
}
