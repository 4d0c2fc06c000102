import { frenchPublicHolidays } from '@guichet/contracts';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: a legal decision date that falls on a day the town is closed is kept (it is the date a
 * court would hold), and the file says why the town is closed that day, so that agents decide
 * before it and citizens are not surprised: `weekend`, `public_holiday` or `closure` (one of the
 * organization's closing days), null on an open day. Written with the due dates, in the same
 * update (conversation.repository.ts).
 *
 * Files that already have a decision date get it here: the day in Paris, the public holidays of
 * the years they span (Alsace-Moselle's two more where the organization keeps them), its closures.
 */
export class DecisionNonWorkingDay1765099000000 implements MigrationInterface {
  name = 'DecisionNonWorkingDay1765099000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE conversation ADD COLUMN decision_due_non_working text
        CHECK (decision_due_non_working IN ('weekend', 'public_holiday', 'closure'))`);
    const [span]: { lo: number | null; hi: number | null }[] = await q.query(
      `SELECT min(extract(year FROM decision_due_at AT TIME ZONE 'Europe/Paris'))::int AS lo,
              max(extract(year FROM decision_due_at AT TIME ZONE 'Europe/Paris'))::int AS hi
         FROM conversation WHERE decision_due_at IS NOT NULL`,
    );
    if (span?.lo == null || span.hi == null) return;
    const national: string[] = [];
    const alsace: string[] = [];
    for (let year = span.lo; year <= span.hi; year++) {
      national.push(...frenchPublicHolidays(year).map((h) => h.date));
      alsace.push(...frenchPublicHolidays(year, { alsaceMoselle: true }).map((h) => h.date));
    }
    await q.query(
      `UPDATE conversation c SET decision_due_non_working = CASE
           WHEN d.day = ANY(CASE WHEN o.alsace_moselle THEN $2::date[] ELSE $1::date[] END) THEN 'public_holiday'
           WHEN extract(isodow FROM d.day) IN (6, 7) THEN 'weekend'
           WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(o.closures) x
                         WHERE d.day BETWEEN (x->>'from')::date AND (x->>'to')::date) THEN 'closure'
         END
         FROM organization o, LATERAL (SELECT (c.decision_due_at AT TIME ZONE 'Europe/Paris')::date AS day) d
        WHERE o.id = c.organization_id AND c.decision_due_at IS NOT NULL`,
      [national, alsace],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversation DROP COLUMN decision_due_non_working`);
  }
}
