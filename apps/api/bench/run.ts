/**
 * `pnpm bench`: the benchmarks below, each in its own Node process with its own embedded PostgreSQL
 * and app instance, each printed beside a baseline measured in the same run; full-scale runs write
 * bench/RESULTS.md.
 *
 *   pnpm bench [-- --only ingest,reports,retention,audit-view,realtime,sms-webhooks,sms-realtime,email-backfill,email-latency,webhook-stall,events,inbox,soak] [--scale 0.01]
 *
 * soak (two instances under load for an hour, with faults) runs only with --only soak; --scale 0.05 makes it 3 minutes.
 *
 * --scale shrinks the data and counts for development runs; they never write RESULTS.md.
 * --part registrations (or reminders) runs only that half of the events bench (1,000 registrations
 * over 3 s at any scale, with their costs per registration): a development run, never written either.
 * The exit code is 1 when a target is missed or a benchmark fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchInbox, INBOX_DEFAULTS, type InboxBenchOptions } from './inbox';
import { benchIngest, INGEST_DEFAULTS, type IngestBenchOptions } from './ingest';
import { describeMachine } from './lib/machine';
import { printResult, writeResults, type BenchId, type BenchResult } from './lib/report';
import { seconds } from './lib/stats';
import { nowMs } from './lib/timing';
import { benchRealtime, REALTIME_DEFAULTS, type RealtimeBenchOptions } from './realtime';
import { benchEmailBackfill, EMAIL_BACKFILL_DEFAULTS, type EmailBackfillBenchOptions } from './email-backfill';
import { benchEmailLatency, EMAIL_LATENCY_DEFAULTS, type EmailLatencyBenchOptions } from './email-latency';
import { benchSmsRealtime, SMS_REALTIME_DEFAULTS, type SmsRealtimeBenchOptions } from './twilio-realtime';
import { benchTwilioSms, TWILIO_SMS_DEFAULTS, type TwilioSmsBenchOptions } from './twilio-sms';
import { benchRetention, RETENTION_DEFAULTS } from './retention';
import { AUDIT_VIEW_DEFAULTS, benchAuditView } from './audit-view';
import { benchReports, REPORTS_DEFAULTS } from './reports';
import { ACKNOWLEDGEMENTS_DEFAULTS, benchAcknowledgements } from './acknowledgements';
import { benchRouting, ROUTING_DEFAULTS } from './routing';
import { benchEvents, EVENTS_DEFAULTS, type EventsPart } from './events';
import { benchSoak, SOAK_DEFAULTS } from './soak';
import { benchWebhookStall, WEBHOOK_STALL_DEFAULTS, type WebhookStallBenchOptions } from './webhook-stall';

// The inbox bench (1,000,000 conversations, minutes of seeding and gigabytes to delete) runs last:
// the latency benches must not share the machine with its clean-up.
const BENCHES: BenchId[] = [
  'ingest',
  'acknowledgements',
  'routing',
  'realtime',
  'sms-webhooks',
  'sms-realtime',
  'email-backfill',
  'email-latency',
  'webhook-stall',
  'retention',
  'audit-view',
  'reports',
  'events',
  'inbox',
  'soak',
];
const scaled = (v: number, scale: number, min: number) => Math.max(min, Math.round(v * scale));

function ingestOptions(scale: number): IngestBenchOptions {
  const d = INGEST_DEFAULTS;
  return {
    ...d,
    messages: scaled(d.messages, scale, 200),
    warmup: scaled(d.warmup, scale, 50),
    returningCitizens: scaled(d.returningCitizens, scale, 30),
    rawInserts: scaled(d.rawInserts, scale, 800),
  };
}

function inboxOptions(scale: number): InboxBenchOptions {
  const d = INBOX_DEFAULTS;
  const conversations = scaled(d.conversations, scale, 1_000);
  return {
    ...d,
    conversations,
    messages: (conversations * d.messages) / d.conversations,
    contacts: scaled(d.contacts, scale, 300),
  };
}

function realtimeOptions(scale: number): RealtimeBenchOptions {
  const d = REALTIME_DEFAULTS;
  return { ...d, clients: scaled(d.clients, scale, 20), messages: scaled(d.messages, scale, 50) };
}

function smsWebhookOptions(scale: number): TwilioSmsBenchOptions {
  const d = TWILIO_SMS_DEFAULTS;
  return {
    ...d,
    messages: scaled(d.messages, scale, 200),
    warmup: scaled(d.warmup, scale, 50),
    returningCitizens: scaled(d.returningCitizens, scale, 30),
    rawInserts: scaled(d.rawInserts, scale, 800),
    directProbe: scaled(d.directProbe, scale, 100),
  };
}

function smsRealtimeOptions(scale: number): SmsRealtimeBenchOptions {
  const d = SMS_REALTIME_DEFAULTS;
  return { ...d, messages: scaled(d.messages, scale, 200), warmup: scaled(d.warmup, scale, 40) };
}

function emailBackfillOptions(scale: number): EmailBackfillBenchOptions {
  const d = EMAIL_BACKFILL_DEFAULTS;
  return { ...d, messages: scaled(d.messages, scale, 200) };
}

function emailLatencyOptions(scale: number): EmailLatencyBenchOptions {
  const d = EMAIL_LATENCY_DEFAULTS;
  return { ...d, messages: scaled(d.messages, scale, 10) };
}

function webhookStallOptions(scale: number): WebhookStallBenchOptions {
  const d = WEBHOOK_STALL_DEFAULTS;
  return { ...d, probes: scaled(d.probes, scale, 300), warmup: scaled(d.warmup, scale, 30) };
}

/** The workspace root (where pnpm-workspace.yaml is), which holds bench/RESULTS.md. */
function workspaceRoot(from: string): string {
  for (let dir = from, i = 0; i < 12; dir = dirname(dir), i++) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
  }
  throw new Error(`no pnpm-workspace.yaml above ${from}`);
}

const EVENTS_PARTS: EventsPart[] = ['registrations', 'reminders'];

function parseCli(): { only: BenchId[]; scale: number; part?: EventsPart; resultFile?: string } {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    // --result-file: set by the parent run for a bench run in its own process (see runEach).
    options: { only: { type: 'string' }, scale: { type: 'string' }, part: { type: 'string' }, 'result-file': { type: 'string' } },
  });
  // The hour-long soak runs only when asked for (`--only soak`).
  const only = (values.only?.split(',').map((s) => s.trim()) ?? BENCHES.filter((id) => id !== 'soak')) as BenchId[];
  const unknown = only.filter((id) => !BENCHES.includes(id));
  if (unknown.length) throw new Error(`unknown benchmark(s): ${unknown.join(', ')} (known: ${BENCHES.join(', ')})`);
  const scale = values.scale ? Number(values.scale) : 1;
  if (!(scale > 0 && scale <= 1)) throw new Error(`--scale must be in (0, 1]: ${values.scale}`);
  const part = values.part as EventsPart | undefined;
  if (part !== undefined && !EVENTS_PARTS.includes(part))
    throw new Error(`--part must be one of ${EVENTS_PARTS.join(', ')} (the events bench's halves): ${values.part}`);
  return { only, scale, part, resultFile: values['result-file'] };
}

interface Outcome {
  results: BenchResult[];
  errors: string[];
}

/**
 * Several benchmarks: each in a Node process of its own, one after the other, so that none
 * inherits another's heap (and its garbage collections) or its sockets.
 */
function runEach(only: BenchId[], scale: number, part: EventsPart | undefined): Outcome {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-bench-results-'));
  const out: Outcome = { results: [], errors: [] };
  try {
    for (const id of only) {
      const file = join(dir, `${id}.json`);
      const args = [__filename, '--only', id, '--scale', String(scale), ...(part ? ['--part', part] : []), '--result-file', file];
      const child = spawnSync(process.execPath, args, { stdio: 'inherit' });
      if (!existsSync(file)) {
        out.errors.push(`${id}: its process ended (${child.signal ?? `exit ${child.status}`}) without a result`);
        continue;
      }
      const one = JSON.parse(readFileSync(file, 'utf8')) as Outcome;
      out.results.push(...one.results);
      out.errors.push(...one.errors);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

async function main(): Promise<number> {
  const { only, scale, part, resultFile } = parseCli();
  const started = nowMs();
  const log = (m: string) => console.log(`[${seconds(nowMs() - started).padStart(7)}] ${m}`);
  const runners: Record<BenchId, () => Promise<BenchResult>> = {
    ingest: () => benchIngest(ingestOptions(scale), log),
    inbox: () => benchInbox(inboxOptions(scale), log),
    reports: () =>
      benchReports(
        {
          ...REPORTS_DEFAULTS,
          conversations: scaled(REPORTS_DEFAULTS.conversations, scale, 10_000),
          bucketsPerRow: scaled(REPORTS_DEFAULTS.bucketsPerRow, scale, 2),
          requests: scaled(REPORTS_DEFAULTS.requests, scale, 30),
        },
        log,
      ),
    realtime: () => benchRealtime(realtimeOptions(scale), log),
    'sms-webhooks': () => benchTwilioSms(smsWebhookOptions(scale), log),
    'sms-realtime': () => benchSmsRealtime(smsRealtimeOptions(scale), log),
    'email-backfill': () => benchEmailBackfill(emailBackfillOptions(scale), log),
    'email-latency': () => benchEmailLatency(emailLatencyOptions(scale), log),
    'webhook-stall': () => benchWebhookStall(webhookStallOptions(scale), log),
    acknowledgements: () =>
      benchAcknowledgements(
        {
          ...ACKNOWLEDGEMENTS_DEFAULTS,
          messages: scaled(ACKNOWLEDGEMENTS_DEFAULTS.messages, scale, 200),
          warmup: scaled(ACKNOWLEDGEMENTS_DEFAULTS.warmup, scale, 50),
        },
        log,
      ),
    routing: () =>
      benchRouting(
        {
          ...ROUTING_DEFAULTS,
          messages: scaled(ROUTING_DEFAULTS.messages, scale, 150),
          warmup: scaled(ROUTING_DEFAULTS.warmup, scale, 30),
        },
        log,
      ),
    'audit-view': () =>
      benchAuditView(
        {
          ...AUDIT_VIEW_DEFAULTS,
          conversations: scaled(AUDIT_VIEW_DEFAULTS.conversations, scale, 200),
          priorEvents: scaled(AUDIT_VIEW_DEFAULTS.priorEvents, scale, 10_000),
          loadsPerRound: scaled(AUDIT_VIEW_DEFAULTS.loadsPerRound, scale, 20),
        },
        log,
      ),
    events: () =>
      benchEvents(
        {
          ...EVENTS_DEFAULTS,
          // The registrations half takes seconds at full size, and its target is a rate (1,000 over
          // 3 s): a scaled run keeps it, or its p99 would say nothing of the target's.

          reminders: scaled(EVENTS_DEFAULTS.reminders, scale, 200),
          ingestChunk: scaled(EVENTS_DEFAULTS.ingestChunk, scale, 100),
          part,
        },
        log,
      ),
    soak: () =>
      benchSoak(
        {
          ...SOAK_DEFAULTS,
          durationMs: Math.max(60_000, Math.round(SOAK_DEFAULTS.durationMs * scale)),
          capacityMs: Math.min(SOAK_DEFAULTS.capacityMs, Math.max(5_000, Math.round(SOAK_DEFAULTS.capacityMs * scale * 4))),
          rssEveryMs: Math.max(5_000, Math.round(SOAK_DEFAULTS.rssEveryMs * scale)),
          recoveryMs: Math.max(10_000, Math.round(SOAK_DEFAULTS.recoveryMs * Math.sqrt(scale))),
        },
        log,
      ),
    retention: () =>
      benchRetention(
        {
          ...RETENTION_DEFAULTS,
          conversations: scaled(RETENTION_DEFAULTS.conversations, scale, 1_000),
          inProgress: scaled(RETENTION_DEFAULTS.inProgress, scale, 500),
          quietProbes: scaled(RETENTION_DEFAULTS.quietProbes, scale, 100),
        },
        log,
      ),
  };
  const machine = describeMachine();
  if (!resultFile)
    log(
      `bench: ${only.join(', ')}${scale === 1 ? '' : ` at scale ${scale}`}${part ? ` (events: ${part} only)` : ''}; load average ${machine.loadAverage}, niceness ${machine.niceness}`,
    );

  let outcome: Outcome = { results: [], errors: [] };
  if (only.length > 1) {
    outcome = runEach(only, scale, part);
  } else {
    const id = only[0]!;
    try {
      const r = await runners[id]();
      printResult(r);
      outcome.results.push(r);
    } catch (e) {
      outcome.errors.push(`${id}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      console.error(`\n== ${id}: ERROR ==\n${outcome.errors[0]}`);
    }
    if (resultFile) {
      writeFileSync(resultFile, JSON.stringify(outcome));
      return 0;
    }
  }
  const { results, errors } = outcome;

  console.log('');
  if (results.length && scale === 1 && !part) {
    const file = join(workspaceRoot(__dirname), 'bench', 'RESULTS.md');
    writeResults(file, results, machine, 'pnpm bench');
    log(`wrote ${file}`);
  } else if (results.length) {
    log(`${part ? `--part ${part}` : `scale ${scale}`}: bench/RESULTS.md left as it was (whole full-scale runs only)`);
  }
  const verdicts = [
    ...results.map((r) => `${r.id} ${r.pass ? 'PASS' : 'FAIL'}`),
    ...errors.map((e) => `${e.split(':')[0]} ERROR`),
  ];
  const ok = results.every((r) => r.pass) && !errors.length;
  log(
    `bench: ${verdicts.join(', ')} (${seconds(nowMs() - started)})${ok ? '' : '; exit code 1: a target was missed or a benchmark failed'}`,
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
