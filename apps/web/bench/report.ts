import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { machineLine, type Machine } from '../../api/bench/lib/machine';

/** One table of the web section: the app's column first, then the baseline's. */
export interface WebTable {
  title: string;
  columns: string[];
  rows: { metric: string; values: string[] }[];
  /** Null: the issue sets no target for this figure. */
  verdict: { pass: boolean; target: string; measured: string } | null;
  notes: string[];
}

const verdictLine = (v: NonNullable<WebTable['verdict']>) =>
  `${v.pass ? 'PASS' : 'FAIL'} — target: ${v.target}; measured: ${v.measured}`;

function pad(cells: string[][]): string[] {
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row) =>
    row
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('   ')
      .trimEnd(),
  );
}

/** The console form, like apps/api/bench/lib/report.ts prints it. */
export function printTable(t: WebTable, out: (line: string) => void = console.log): void {
  out('');
  out(`== ${t.title} ==`);
  for (const line of pad([['metric', ...t.columns], ...t.rows.map((x) => [x.metric, ...x.values])])) out(`  ${line}`);
  for (const n of t.notes) out(`  · ${n}`);
  if (t.verdict) out(`  ${verdictLine(t.verdict)}`);
}

function tableMarkdown(t: WebTable, date: string, machine: string): string[] {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `## ${t.title}`,
    '',
    `Measured ${date} — ${machine}.`,
    '',
    `| Metric | ${t.columns.map(cell).join(' | ')} |`,
    `| --- |${' --- |'.repeat(t.columns.length)}`,
    ...t.rows.map((x) => `| ${[x.metric, ...x.values].map(cell).join(' | ')} |`),
    '',
    ...(t.verdict ? [`**${verdictLine(t.verdict)}**`, ''] : []),
    ...t.notes.map((n) => `- ${n}`),
    '',
  ];
}

/**
 * Writes one web section of bench/RESULTS.md (`name`: web-bundle, web-citizen, web-dom) between its
 * markers (replaced in place, or appended), in the format of apps/api/bench/lib/report.ts; the rest
 * of the file is left as it is.
 */
export function writeWebSection(
  file: string,
  name: string,
  tables: WebTable[],
  m: Machine,
  server: string | null,
  browser: string | null,
): void {
  const START = `<!-- bench:${name}:start -->`;
  const END = `<!-- bench:${name}:end -->`;
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  // A part that starts no database (or no browser) does not name one.
  const base = server === null ? machineLine(m, '').replace(/, PostgreSQL +\(embedded\)$/, '') : machineLine(m, server);
  const machine = `${base}${browser === null ? '' : `, ${browser}`}, load average ${m.loadAverage} at the start, niceness ${m.niceness}`;
  const section = [START, ...tables.flatMap((t) => tableMarkdown(t, date, machine)), END]
    .join('\n')
    .replace(/\n\n+(?=<!-- bench:[\w-]+:end)/, '\n');
  const text = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Guichet benchmarks\n\nWritten by `pnpm bench`. Each figure is printed beside a baseline measured in the same run.\n';
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  const next =
    from >= 0 && to > from
      ? text.slice(0, from) + section + text.slice(to + END.length)
      : `${text.replace(/\n*$/, '\n\n')}${section}\n`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, next);
}
