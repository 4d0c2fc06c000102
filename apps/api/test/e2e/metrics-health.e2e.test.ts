import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectRecording, expectEventually } from '@guichet/testing';
import { JobQueue } from '../../src/infra/jobs/job-queue';
import { seedTown, startTestApp, type TestApp } from '../harness';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, as a scraper reads it: one sample per non-comment line. */
function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`ligne illisible : ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const s = samples.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s.length ? s.reduce((a, x) => a + x.value, 0) : undefined;
}

async function scrape(
  url: string,
  token?: string,
): Promise<{ status: number; type: string | null; samples: Sample[]; text: string }> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), samples: res.status === 200 ? parse(text) : [], text };
}

describe('GET /metrics (Prometheus) and the health probes, on the real app', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('counts HTTP answers by route pattern (never the raw path with its ids) and status', async () => {
    const { conversationId } = await t.ingest.ingest(
      { channelId: town.webform.id, externalId: randomUUID(), from: { kind: 'email', value: 'a@example.fr' }, text: 'Bonjour' },
      {},
    );
    for (let i = 0; i < 3; i++) {
      expect((await t.http('GET', `/api/v1/conversations/${conversationId}`, { token: town.agentEC.token })).status).toBe(200);
    }
    expect((await t.http('GET', `/api/v1/conversations/${randomUUID()}`, { token: town.agentEC.token })).status).toBe(404);
    const m = await scrape(`${t.url}/metrics`);
    expect(m.status).toBe(200);
    expect(m.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const route = '/api/v1/conversations/:id';
    expect(value(m.samples, 'guichet_http_request_duration_seconds_count', { method: 'GET', route, status: '200' })).toBe(3);
    expect(value(m.samples, 'guichet_http_request_duration_seconds_count', { method: 'GET', route, status: '404' })).toBe(1);
    expect(m.text).not.toContain(conversationId);
  });

  it('counts ingested messages per channel kind and result, with their latency', async () => {
    const before = parse(await (await fetch(`${t.url}/metrics`)).text());
    const stored = (k: Sample[]) => value(k, 'guichet_ingest_messages_total', { channel: 'sms', result: 'stored' }) ?? 0;
    const twice = {
      channelId: town.sms.id,
      externalId: `SM${randomUUID()}`,
      from: { kind: 'phone' as const, value: '+33612345678' },
      text: 'Allô',
    };
    await t.ingest.ingest(twice);
    await t.ingest.ingest(twice);
    await expect(t.ingest.ingest({ ...twice, externalId: '' })).rejects.toThrow();
    const after = (await scrape(`${t.url}/metrics`)).samples;
    expect(stored(after) - stored(before)).toBe(1);
    expect(value(after, 'guichet_ingest_messages_total', { channel: 'sms', result: 'duplicate' })).toBe(1);
    expect(value(after, 'guichet_ingest_messages_total', { channel: 'sms', result: 'rejected' })).toBe(1);
    expect(value(after, 'guichet_ingest_duration_seconds_count', { channel: 'sms' })).toBe(2);
    expect(value(after, 'guichet_ingest_duration_seconds_sum', { channel: 'sms' })).toBeGreaterThan(0);
  });

  it('counts outbound sends by the status the message ended with, and shows the job queues', async () => {
    const { conversationId: id } = await t.ingest.ingest(
      {
        channelId: town.sms.id,
        externalId: `SM${randomUUID()}`,
        from: { kind: 'phone', value: '+33698765432' },
        text: 'Bonjour',
      },
      {},
    );
    const c = (await t.http('GET', `/api/v1/conversations/${id}`, { token: town.agentEC.token })).body;
    const reply = await t.http('POST', `/api/v1/conversations/${id}/messages`, {
      token: town.agentEC.token,
      body: { kind: 'reply', body: 'Réponse', version: c.version, channelId: town.sms.id },
    });
    expect(reply.status).toBe(201);
    // The SMS channel of the test town has no Twilio account: the send fails for good.
    const final = await expectEventually(
      async () => {
        const items = (await t.http('GET', `/api/v1/conversations/${id}/messages?limit=100`, { token: town.agentEC.token })).body
          .items as { id: string; status: string }[];
        const status = items.find((x) => x.id === reply.body.id)!.status;
        expect(['sent', 'delivered', 'failed']).toContain(status);
        return status;
      },
      { timeoutMs: 15_000 },
    );
    const m = (await scrape(`${t.url}/metrics`)).samples;
    expect(value(m, 'guichet_outbound_sends_total', { channel: 'sms', status: final })).toBe(1);
    // Every queue is listed, idle or not, with its depth and its oldest job's age.
    expect(value(m, 'guichet_queue_jobs', { queue: 'outbound-send', state: 'queued' })).toBe(0);
    expect(value(m, 'guichet_queue_oldest_job_age_seconds', { queue: 'domain-events' })).toBeGreaterThanOrEqual(0);
  });

  it('reports queue depth and the age of the oldest waiting job, per job kind', async () => {
    const queue = `metrics-test-${randomUUID().slice(0, 8)}`;
    const jobs = t.app.get(JobQueue);
    // A queue nobody works: its jobs wait.
    await jobs.ensureQueue(queue);
    for (let i = 0; i < 3; i++) await jobs.send(queue, { i });
    await new Promise((r) => setTimeout(r, 1100));
    const m = (await scrape(`${t.url}/metrics`)).samples;
    expect(value(m, 'guichet_queue_jobs', { queue, state: 'queued' })).toBe(3);
    expect(value(m, 'guichet_queue_jobs', { queue, state: 'active' })).toBe(0);
    expect(value(m, 'guichet_queue_oldest_job_age_seconds', { queue })).toBeGreaterThanOrEqual(1);
  });

  it('shows socket connections, the PostgreSQL pool and the event-loop delay', async () => {
    const before = value((await scrape(`${t.url}/metrics`)).samples, 'guichet_socket_connections');
    expect(before).toBe(0);
    const a = await connectRecording(t.url, town.agentEC.token);
    const b = await connectRecording(t.url, town.supervisor.token);
    await expectEventually(async () =>
      expect(value((await scrape(`${t.url}/metrics`)).samples, 'guichet_socket_connections')).toBe(2),
    );
    a.close();
    b.close();
    await expectEventually(async () =>
      expect(value((await scrape(`${t.url}/metrics`)).samples, 'guichet_socket_connections')).toBe(0),
    );
    const m = (await scrape(`${t.url}/metrics`)).samples;
    expect(value(m, 'guichet_pg_pool_max_connections')).toBe(10);
    expect(value(m, 'guichet_pg_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(value(m, 'guichet_pg_pool_connections', { state: 'waiting' })).toBe(0);
    expect(value(m, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0);
    // Memory the soak's RSS table reads: V8's heap in use and committed, and what lives outside it (buffers).
    expect(value(m, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(value(m, 'nodejs_heap_size_total_bytes')).toBeGreaterThan(0);
    expect(value(m, 'nodejs_external_memory_bytes')).toBeGreaterThan(0);
    expect(m.some((s) => s.name === 'guichet_mailbox_lag_seconds_count')).toBe(true);
  });

  it('live answers without the database; ready only when the database answers and every migration ran', async () => {
    expect(await t.http('GET', '/api/v1/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await t.http('GET', '/api/v1/health/ready')).toMatchObject({ status: 200, body: { status: 'ok' } });
    // A migration of this version missing from the database (an upgrade not yet migrated).
    const { rows } = await t.db.query(`DELETE FROM migrations WHERE id = (SELECT max(id) FROM migrations) RETURNING *`);
    try {
      const notReady = await t.http('GET', '/api/v1/health/ready');
      expect(notReady.status).toBe(503);
      expect(JSON.stringify(notReady.body)).toContain('migrations de la base de données non appliquées');
      expect((await t.http('GET', '/api/v1/health/live')).status).toBe(200);
    } finally {
      await t.db.query(`INSERT INTO migrations (id, timestamp, name) VALUES ($1, $2, $3)`, [
        rows[0].id,
        rows[0].timestamp,
        rows[0].name,
      ]);
    }
    expect((await t.http('GET', '/api/v1/health/ready')).status).toBe(200);
  });
});

describe('the Grafana dashboard of deploy/', () => {
  it('only charts metrics that a running instance exposes', async () => {
    const dashboard = JSON.parse(readFileSync(join(__dirname, '../../../../deploy/grafana/guichet-dashboard.json'), 'utf8'));
    const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((x) => x.expr));
    const used = new Set(exprs.flatMap((e) => e.match(/\b(guichet|nodejs|process)_[a-z0-9_]+/g) ?? []));
    expect(used.size).toBeGreaterThan(10);
    const t = await startTestApp();
    try {
      // Families as the exposition declares them (a labelled metric has no sample before its first use).
      const families = [...(await scrape(`${t.url}/metrics`)).text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(
        ([, name, type]) => (type === 'histogram' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name!]),
      );
      const missing = [...used].filter((name) => !families.includes(name));
      expect(missing).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('/metrics protected by a token, or on an internal port', () => {
  it('METRICS_TOKEN: a scrape without the token (or with another) is refused', async () => {
    const token = 'jeton-de-metriques-0123456789';
    const t = await startTestApp({ metrics: { enabled: true, token } });
    try {
      expect((await scrape(`${t.url}/metrics`)).status).toBe(401);
      expect((await scrape(`${t.url}/metrics`, 'jeton-de-metriques-9876543210')).status).toBe(401);
      const ok = await scrape(`${t.url}/metrics`, token);
      expect(ok.status).toBe(200);
      expect(value(ok.samples, 'guichet_socket_connections')).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('METRICS_PORT: served on the internal port only, not on the public one', async () => {
    const t = await startTestApp({ metrics: { enabled: true, port: 0, host: '127.0.0.1' } });
    try {
      const running = t.metricsUrl!;
      expect(running).not.toBe(`${t.url}/metrics`);
      expect((await scrape(running)).status).toBe(200);
      expect((await fetch(`${t.url}/metrics`)).status).toBe(404);
      expect((await t.http('GET', '/api/v1/health/ready')).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('METRICS=0: no /metrics at all', async () => {
    const t = await startTestApp({ metrics: { enabled: false } });
    try {
      expect((await fetch(`${t.url}/metrics`)).status).toBe(404);
      expect(t.metricsUrl).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
