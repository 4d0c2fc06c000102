import type { MigrationInterface, QueryRunner } from 'typeorm';

const FUNCTION = `'guichet_ingest(jsonb)'::regprocedure`;

/**
 * guichet_ingest() as IngestSetWrites1765081000000 defines it → as this migration leaves it: each
 * pair is found once in the function's text and replaced.
 */
const CHANGES: [string, string][] = [
  [
    `        v_known_identities uuid[];
`,
    `        v_known_identities uuid[];
        -- Whether each known sender's citizen has a limitation in force (RGPD art. 18), and this item's.
        v_known_limited boolean[];
        v_limited boolean;
`,
  ],
  [
    `               coalesce(array_agg(k.name), '{}'), coalesce(array_agg(k.identity_id), '{}')
          INTO v_known_ords, v_known_contacts, v_known_names, v_known_identities
`,
    `               coalesce(array_agg(k.name), '{}'), coalesce(array_agg(k.identity_id), '{}'),
               coalesce(array_agg(guichet_limited_since(k.contact_id, NULL) IS NOT NULL), '{}')
          INTO v_known_ords, v_known_contacts, v_known_names, v_known_identities, v_known_limited
`,
  ],
  [
    `          v_deferred := false;
          ord := v_ord;
`,
    `          v_deferred := false;
          v_limited := false;
          ord := v_ord;
`,
  ],
  [
    `               WHERE i.organization_id = v_organization AND i.kind = v_from_kind AND i.value = v_from_value;
            ELSIF v_i IS NOT NULL THEN
              v_contact := v_known_contacts[v_i];
`,
    `               WHERE i.organization_id = v_organization AND i.kind = v_from_kind AND i.value = v_from_value;
              v_limited := guichet_limited_since(v_contact, NULL) IS NOT NULL;
            ELSIF v_i IS NOT NULL THEN
              v_limited := v_known_limited[v_i];
              v_contact := v_known_contacts[v_i];
`,
  ],
  [
    `              IF v_match IS NULL THEN
                SELECT c.id INTO v_match FROM conversation c WHERE c.contact_id = v_contact
                 ORDER BY c.last_message_at DESC LIMIT 1;
              END IF;
            END IF;
          END IF;
`,
    `              IF v_match IS NULL THEN
                SELECT c.id INTO v_match FROM conversation c WHERE c.contact_id = v_contact
                 ORDER BY c.last_message_at DESC LIMIT 1;
              END IF;
            END IF;
            -- A file the citizen's limitation freezes takes no message (nobody may answer it there):
            -- their writing is a new request (art. 18.2), so a new file, flagged as related to it.
            IF v_limited AND v_match_contact = v_contact AND guichet_limited_since(v_contact, v_match) IS NOT NULL THEN
              v_match_contact := NULL;
            END IF;
          END IF;
`,
  ],
];

async function rewrite(q: QueryRunner, pairs: [string, string][]): Promise<void> {
  const [row] = (await q.query(`SELECT pg_get_functiondef(${FUNCTION}) AS def`)) as { def: string }[];
  let def = row!.def;
  for (const [from, to] of pairs) {
    if (def.split(from).length !== 2) throw new Error(`IngestFrozenFiles: not found once in guichet_ingest(): ${from}`);
    def = def.replace(from, () => to);
  }
  // pg_get_functiondef gives CREATE OR REPLACE with the same signature, result and ROWS estimate.
  await q.query(def);
}

/**
 * Issue 16, RGPD art. 18: a limited citizen's SMS (WhatsApp, Messenger: « latest open file »), or
 * mail answering a file (reply token, In-Reply-To, [GU-…] reference), went into the file it
 * matched even when the limitation freezes that file (guichet_limited_since, LimitedSince
 * 1765111000000): stored where nobody may answer, acknowledge or route it. Writing to the town is
 * the citizen's consent to a new request, as the web form's is: the ingest now starts a new file
 * (acknowledged and routed as any new request), flagged as possibly related to the frozen one.
 *
 * Cost for citizens without a limitation: nothing per item in the loop — whether a known sender's
 * citizen is limited is read in the batch's one statement that finds the senders' citizens (an
 * index probe per sender, processing_restriction_in_force); the per-file rule runs only for a
 * limited citizen's matched file. The writes stay one statement (guichet_ingest_flush).
 */
export class IngestFrozenFiles1765114000000 implements MigrationInterface {
  name = 'IngestFrozenFiles1765114000000';

  async up(q: QueryRunner): Promise<void> {
    await rewrite(q, CHANGES);
  }

  async down(q: QueryRunner): Promise<void> {
    await rewrite(
      q,
      CHANGES.map(([from, to]) => [to, from]),
    );
  }
}
