import { Client } from 'pg';

export interface StatementCount {
  total: number;
  /** Statements grouped by their normalized first words, most frequent first. */
  byKind: [string, number][];
}

/** The first words of a statement, whitespace collapsed: enough to tell statements apart. */
function kindOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const select = /^SELECT\b/i.test(flat) && (/\bFROM (\w+)/i.exec(flat)?.[1] ?? /^SELECT ([\w.]+)/i.exec(flat)?.[1]);
  if (select) return `SELECT ${select}`;
  const write = /^(INSERT INTO|UPDATE|DELETE FROM) (\w+)/i.exec(flat);
  if (write) return `${write[1]!.toUpperCase()} ${write[2]}`;
  const cte = /^WITH \w+ AS \(\s*(INSERT INTO|UPDATE|DELETE FROM) (\w+)/i.exec(flat);
  if (cte) return `WITH (${cte[1]!.toUpperCase()} ${cte[2]})`;
  // A CTE over a function (the ingest's batch statement): named by the function.
  const fromFunction = /^WITH \w+ AS (?:MATERIALIZED )?\(\s*SELECT \* FROM (\w+)\(/i.exec(flat);
  if (fromFunction) return `WITH (SELECT * FROM ${fromFunction[1]}())`;
  return flat.slice(0, 40);
}

type Connection = { connectionParameters?: { application_name?: string } };

/**
 * Counts the statements sent through node-postgres by connections named `applicationName`
 * (the app's TypeORM pool is 'guichet', see src/database/data-source.ts; pg-boss has its own)
 * while `fn` runs, by wrapping Client.prototype.query for that time only.
 */
export async function countStatements(fn: () => Promise<void>, applicationName = 'guichet'): Promise<StatementCount> {
  const proto = Client.prototype as unknown as { query: (this: Connection, ...args: unknown[]) => unknown };
  const original = proto.query;
  const counts = new Map<string, number>();
  proto.query = function (this: Connection, ...args: unknown[]) {
    if (this.connectionParameters?.application_name !== applicationName) return original.apply(this, args);
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: unknown } | null)?.text ?? '');
    const kind = kindOf(String(text));
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    return original.apply(this, args);
  };
  try {
    await fn();
  } finally {
    proto.query = original;
  }
  const byKind = [...counts].sort((a, b) => b[1] - a[1]);
  return { total: byKind.reduce((s, [, n]) => s + n, 0), byKind };
}
