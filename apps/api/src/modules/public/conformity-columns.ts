import { conformityLevel, type ConformityLevel } from '@guichet/contracts';

/**
 * What the footer of a town's citizen pages rests on, read with the town's row the page loads
 * anyway (its name, its slug): no page asks for it again. `o` is the organization's alias.
 */
export const conformityColumns = (o: string) => `(${o}.accessibility_statement->'audit'->>'rate')::float8 AS conformity_rate`;

export interface ConformityColumns {
  /** The audit's rate, null without a statement or an audit. */
  conformity_rate: number | null;
}

/** The level those columns give (contracts conformityLevel, the one rule). */
export const footerConformity = (row: ConformityColumns): ConformityLevel => conformityLevel(row.conformity_rate);
