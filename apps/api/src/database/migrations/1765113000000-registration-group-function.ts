import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17, registration p99: a group of registrations of one event (RegistrationService's group
 * commit) is written by one function called as a statement of its own, so its transaction is that
 * statement and the event's lock is held for the server's work and the commit only — no round trip
 * to the app while other citizens wait for the lock (there were five: lock, read, insert, notice
 * jobs, commit).
 *
 * `municipal_event_register(event, items, job_insert)`:
 * - locks the event FOR NO KEY UPDATE (the first lock of every change of places: LOCK ORDER in
 *   municipal-event.repository.ts), then reads its sessions in the next statements, which see what
 *   the transaction before left (a statement that waited for a row's lock sees only that row anew);
 * - gives places in the items' order (`ord`), the rule the service stated before: a session that
 *   takes no registration now (the event or session cancelled, started, booking not open or closed:
 *   bookingProblem's dates, `late`), an e-mail or phone already registered to the session
 *   (`duplicate_email`, `duplicate_phone`), a place when it fits and nobody waits (`confirmed`),
 *   else the waiting list when it fits there (`waitlisted`, with its rank), else `full` with the
 *   session's places at that moment (the French reason is worded by the service);
 * - inserts the accepted rows in that order (their `seq`, the waiting list's order, follows it),
 *   moves the sessions' and the event's counters (their CHECK constraints refuse any excess), and
 *   inserts each one's notice job (`items[].jobs`, keyed by status) with `job_insert`, pg-boss's own
 *   insert statement (JobQueue.insertStatement, its one parameter the jobs' JSON);
 * - answers `{outcomes: [{status, position, booked, waiting}] by ord, inserted: {id: created_at},
 *   sessions: [their places after], capacity, booked_places, waitlisted_places}`, or null when there
 *   is no such event.
 * A unique violation (a registration written by a path that does not lock the event) fails the
 * whole statement: nothing is written, and the service runs the items again one by one.
 */
export class RegistrationGroupFunction1765113000000 implements MigrationInterface {
  name = 'RegistrationGroupFunction1765113000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION municipal_event_register(p_event uuid, p_items jsonb, p_job_insert text) RETURNS jsonb
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_event record;
        v_now timestamptz;
        v_n int := jsonb_array_length(p_items);
        v_sid uuid[];
        v_cap int[];
        v_wcap int[];
        v_booked int[];
        v_waiting int[];
        v_booked0 int[];
        v_waiting0 int[];
        v_rank int[];
        v_late boolean[];
        v_taken text[];
        v_outcome text[] := array_fill(NULL::text, ARRAY[v_n]);
        v_position int[] := array_fill(NULL::int, ARRAY[v_n]);
        v_at_booked int[] := array_fill(NULL::int, ARRAY[v_n]);
        v_at_waiting int[] := array_fill(NULL::int, ARRAY[v_n]);
        v_item record;
        v_k int;
        v_fits boolean;
        v_inserted jsonb;
        v_jobs text;
      BEGIN
        SELECT m.organization_id, m.cancelled_at, m.booking_opens_at, m.booking_closes_at, m.booking_opens_days_before,
               m.booking_closes_hours_before, m.capacity, m.booked_places, m.waitlisted_places
          INTO v_event FROM municipal_event m WHERE m.id = p_event FOR NO KEY UPDATE;
        IF NOT FOUND THEN
          RETURN NULL;
        END IF;
        v_now := clock_timestamp();

        SELECT array_agg(s.id ORDER BY s.starts_at, s.id), array_agg(s.capacity ORDER BY s.starts_at, s.id),
               array_agg(s.waitlist_capacity ORDER BY s.starts_at, s.id), array_agg(s.booked_places ORDER BY s.starts_at, s.id),
               array_agg(s.waitlisted_places ORDER BY s.starts_at, s.id),
               array_agg((SELECT count(*)::int FROM municipal_event_registration w
                           WHERE w.session_id = s.id AND w.status = 'waitlisted') ORDER BY s.starts_at, s.id),
               array_agg((v_event.cancelled_at IS NOT NULL OR s.cancelled_at IS NOT NULL OR s.starts_at <= v_now
                  OR coalesce(greatest(v_event.booking_opens_at,
                       s.starts_at - make_interval(days => v_event.booking_opens_days_before)) > v_now, false)
                  OR coalesce(least(v_event.booking_closes_at,
                       s.starts_at - make_interval(hours => v_event.booking_closes_hours_before)) <= v_now, false))
                 ORDER BY s.starts_at, s.id)
          INTO v_sid, v_cap, v_wcap, v_booked, v_waiting, v_rank, v_late
          FROM municipal_event_session s WHERE s.event_id = p_event;
        v_booked0 := v_booked;
        v_waiting0 := v_waiting;

        -- The e-mails and phones of the items an active registration of their session already holds.
        SELECT coalesce(array_agg(t.k), '{}') INTO v_taken FROM (
          SELECT r.session_id || ' e ' || r.email AS k FROM municipal_event_registration r
           WHERE r.session_id = ANY(v_sid) AND r.email IS NOT NULL AND r.status IN ('confirmed', 'waitlisted', 'offered')
             AND r.email IN (SELECT i->>'email' FROM jsonb_array_elements(p_items) i)
          UNION ALL
          SELECT r.session_id || ' p ' || r.phone FROM municipal_event_registration r
           WHERE r.session_id = ANY(v_sid) AND r.phone IS NOT NULL AND r.status IN ('confirmed', 'waitlisted', 'offered')
             AND r.phone IN (SELECT i->>'phone' FROM jsonb_array_elements(p_items) i)) t;

        FOR v_item IN
          SELECT x.ord, x.session_id, x.email, x.phone, x.places
            FROM jsonb_to_recordset(p_items) AS x(ord int, session_id uuid, email text, phone text, places int) ORDER BY x.ord
        LOOP
          v_k := array_position(v_sid, v_item.session_id);
          IF v_k IS NULL OR v_late[v_k] THEN
            v_outcome[v_item.ord + 1] := 'late';
          ELSIF v_item.email IS NOT NULL AND (v_item.session_id || ' e ' || v_item.email) = ANY(v_taken) THEN
            v_outcome[v_item.ord + 1] := 'duplicate_email';
          ELSIF v_item.phone IS NOT NULL AND (v_item.session_id || ' p ' || v_item.phone) = ANY(v_taken) THEN
            v_outcome[v_item.ord + 1] := 'duplicate_phone';
          ELSE
            -- Nobody jumps the waiting list: a free place goes to it first (promotion).
            v_fits := v_booked[v_k] + v_item.places <= v_cap[v_k] AND v_waiting[v_k] = 0;
            IF NOT v_fits AND v_waiting[v_k] + v_item.places > v_wcap[v_k] THEN
              v_outcome[v_item.ord + 1] := 'full';
              v_at_booked[v_item.ord + 1] := v_booked[v_k];
              v_at_waiting[v_item.ord + 1] := v_waiting[v_k];
            ELSE
              IF v_item.email IS NOT NULL THEN
                v_taken := v_taken || (v_item.session_id || ' e ' || v_item.email);
              END IF;
              IF v_item.phone IS NOT NULL THEN
                v_taken := v_taken || (v_item.session_id || ' p ' || v_item.phone);
              END IF;
              IF v_fits THEN
                v_booked[v_k] := v_booked[v_k] + v_item.places;
                v_outcome[v_item.ord + 1] := 'confirmed';
              ELSE
                v_waiting[v_k] := v_waiting[v_k] + v_item.places;
                v_rank[v_k] := v_rank[v_k] + 1;
                v_outcome[v_item.ord + 1] := 'waitlisted';
                v_position[v_item.ord + 1] := v_rank[v_k];
              END IF;
            END IF;
          END IF;
        END LOOP;

        WITH ins AS (
          INSERT INTO municipal_event_registration AS r
            (id, organization_id, event_id, session_id, name, email, phone, places, answers, consent_reminders, status, channel)
          SELECT x.id, v_event.organization_id, p_event, x.session_id, x.name, x.email, x.phone, x.places, x.answers,
                 x.consent_reminders, v_outcome[x.ord + 1], x.channel
            FROM jsonb_to_recordset(p_items) AS x(ord int, id uuid, session_id uuid, name text, email text, phone text,
                   places int, answers jsonb, consent_reminders boolean, channel text)
           WHERE v_outcome[x.ord + 1] IN ('confirmed', 'waitlisted')
           ORDER BY x.ord
          RETURNING r.id, r.created_at)
        SELECT coalesce(jsonb_object_agg(ins.id, ins.created_at), '{}') INTO v_inserted FROM ins;

        IF v_booked IS DISTINCT FROM v_booked0 OR v_waiting IS DISTINCT FROM v_waiting0 THEN
          UPDATE municipal_event_session s
             SET booked_places = s.booked_places + d.booked - d.booked0,
                 waitlisted_places = s.waitlisted_places + d.waiting - d.waiting0
            FROM unnest(v_sid, v_booked, v_booked0, v_waiting, v_waiting0) AS d(id, booked, booked0, waiting, waiting0)
           WHERE s.id = d.id AND (d.booked <> d.booked0 OR d.waiting <> d.waiting0);
          v_event.booked_places := v_event.booked_places
            + (SELECT sum(b)::int FROM unnest(v_booked) b) - (SELECT sum(b)::int FROM unnest(v_booked0) b);
          v_event.waitlisted_places := v_event.waitlisted_places
            + (SELECT sum(w)::int FROM unnest(v_waiting) w) - (SELECT sum(w)::int FROM unnest(v_waiting0) w);
          UPDATE municipal_event SET booked_places = v_event.booked_places, waitlisted_places = v_event.waitlisted_places
           WHERE id = p_event;
        END IF;

        IF p_job_insert IS NOT NULL THEN
          SELECT json_agg(json_build_object('data', x.jobs -> v_outcome[x.ord + 1]) ORDER BY x.ord)::text INTO v_jobs
            FROM jsonb_to_recordset(p_items) AS x(ord int, jobs jsonb)
           WHERE v_outcome[x.ord + 1] IN ('confirmed', 'waitlisted');
          IF v_jobs IS NOT NULL THEN
            EXECUTE p_job_insert USING v_jobs;
          END IF;
        END IF;

        RETURN jsonb_build_object(
          'outcomes', (SELECT jsonb_agg(jsonb_build_object('status', u.status, 'position', u.rank, 'booked', u.booked,
                                                           'waiting', u.waiting) ORDER BY u.n)
                         FROM unnest(v_outcome, v_position, v_at_booked, v_at_waiting) WITH ORDINALITY
                              AS u(status, rank, booked, waiting, n)),
          'inserted', v_inserted,
          'sessions', (SELECT jsonb_agg(jsonb_build_object('id', u.id, 'capacity', u.capacity, 'waitlist_capacity', u.wcap,
                                                           'booked_places', u.booked, 'waitlisted_places', u.waiting))
                         FROM unnest(v_sid, v_cap, v_wcap, v_booked, v_waiting) AS u(id, capacity, wcap, booked, waiting)),
          'capacity', v_event.capacity,
          'booked_places', v_event.booked_places,
          'waitlisted_places', v_event.waitlisted_places);
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS municipal_event_register(uuid, jsonb, text)`);
  }
}
