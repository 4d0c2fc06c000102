import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The text each search column indexes, as the original schema had it. */
const SEARCHED = {
  contact: `coalesce(name, '')`,
  conversation: `coalesce(subject, '') || ' ' || reference`,
  message: `left(body, 100000)`,
} as const;

/**
 * PostgreSQL's text-search parser reads `<…>` as markup: it drops a tag's words, and everything
 * after `<style>` or `<script>` up to the closing tag, i.e. the rest of a subject (and the
 * reference appended to it), a body or a name. Citizens' text is not markup: `<` and `>` become
 * spaces before parsing, so every word stays searchable whatever surrounds it.
 */
export class SearchIgnoresMarkup1764500000012 implements MigrationInterface {
  name = 'SearchIgnoresMarkup1764500000012';

  async up(q: QueryRunner): Promise<void> {
    for (const [table, text] of Object.entries(SEARCHED)) await redefine(q, table, `translate(${text}, '<>', '  ')`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table, text] of Object.entries(SEARCHED)) await redefine(q, table, text);
  }
}

async function redefine(q: QueryRunner, table: string, text: string): Promise<void> {
  await q.query(`ALTER TABLE ${table} DROP COLUMN search`);
  await q.query(
    `ALTER TABLE ${table} ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('guichet_fr'::regconfig, ${text})) STORED`,
  );
  await q.query(`CREATE INDEX ${table}_search_idx ON ${table} USING gin (search)`);
}
