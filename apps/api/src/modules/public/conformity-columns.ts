import { civilDateAt, conformityLevel, type ConformityLevel } from '@guichet/contracts';

/**
 * What the footer of a town's citizen pages rests on, read with the town's row the page loads
 * anyway (its name, its slug): no page asks for it again. `o` is the organization's alias.
 */
export const conformityColumns = (o: string) =>
  `(${o}.accessibility_statement->'audit'->>'rate')::float8 AS conformity_rate,
   coalesce(${o}.accessibility_statement->>'updatedOn', ${o}.accessibility_statement->>'establishedOn') AS conformity_published_on`;

export interface ConformityColumns {
  /** The audit's rate, null without a statement or an audit. */
  conformity_rate: number | null;
  /** When the statement was published (its last update, else its establishment), null without one. */
  conformity_published_on: string | null;
}

/** Today's level from those columns (contracts conformityLevel, the one rule). */
export const footerConformity = (row: ConformityColumns, now = new Date()): ConformityLevel =>
  conformityLevel({ rate: row.conformity_rate, publishedOn: row.conformity_published_on }, civilDateAt(now));
