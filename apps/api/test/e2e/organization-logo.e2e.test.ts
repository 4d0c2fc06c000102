import { deflateSync } from 'node:zlib';
import { BlobRepository } from '../../src/modules/blobs/blob.repository';
import { seedTown, startTestApp, type TestApp } from '../harness';

/** A real PNG of w×h pixels, one colour (CRCs computed, so any decoder reads it). */
function png(w: number, h: number, rgb: [number, number, number], padTo = 0): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = table[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.concat(Array.from({ length: w }, () => Buffer.from(rgb)))]);
  const parts = [
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: h }, () => row)))),
  ];
  // A text chunk to reach a given size (a large, still valid image).
  if (padTo) parts.push(chunk('tEXt', Buffer.alloc(Math.max(0, padTo - 57), 0x61)));
  parts.push(chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(parts);
}

describe('organization logo', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let other: Awaited<ReturnType<typeof seedTown>>;

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
    other = await seedTown(t);
  });
  afterAll(() => t.close());

  const upload = (token: string, content: Buffer, type: string, name = 'logo.png') => {
    const form = new FormData();
    form.append('logo', new Blob([new Uint8Array(content)], { type }), name);
    return t.http('PUT', '/api/v1/organization/logo', { token, form });
  };

  it('an admin uploads a PNG: served to the citizen pages and the header with its checked type, audited', async () => {
    const image = png(24, 12, [30, 58, 120]);
    const res = await upload(town.admin.token, image, 'image/png');
    expect(res.status).toBe(200);
    expect(res.body.logo).toMatch(new RegExp(`^/api/v1/public/organizations/${town.org.slug}/logo\\?v=[0-9a-f]{16}$`));

    const served = await fetch(t.url + res.body.logo);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await served.arrayBuffer()).equals(image)).toBe(true);
    // Without the version, it may change: a short cache.
    const plain = await fetch(`${t.url}/api/v1/public/organizations/${town.org.slug}/logo`);
    expect(plain.headers.get('cache-control')).toBe('public, max-age=300');

    // The citizen form shows it in its header, and the agents' header learns it from /auth/me.
    const page = await (await fetch(`${t.url}/demandes/${town.org.slug}`)).text();
    expect(page).toContain(`<img class="brand__logo" src="${res.body.logo}" alt="" height="40">`);
    // And so do its accessibility and personal-data pages.
    for (const path of ['accessibilite', 'donnees-personnelles']) {
      const statement = await (await fetch(`${t.url}/${path}/${town.org.slug}`)).text();
      expect(statement).toContain(`<img class="brand__logo" src="${res.body.logo}" alt="" height="40">`);
    }
    // And the citizen's tracking page (its DTO names the logo too); another town's request has none.
    const request = async (o: Awaited<ReturnType<typeof seedTown>>) => {
      const sent = await t.http('POST', `/api/v1/public/organizations/${o.org.slug}/requests`, {
        body: { teamId: o.etatCivil.id, name: 'Élodie Martin', email: 'elodie@exemple.fr', subject: 'Acte', body: 'Bonjour' },
        headers: { 'x-forwarded-for': `10.9.0.${Math.floor(Math.random() * 250)}` },
      });
      expect(sent.status).toBe(201);
      const query = `${sent.body.reference}?token=${sent.body.trackingToken}`;
      return {
        dto: (await t.http('GET', `/api/v1/public/requests/${query}`)).body,
        page: await (await fetch(`${t.url}/suivi/${query}`)).text(),
      };
    };
    const tracked = await request(town);
    expect(tracked.dto.organizationLogo).toBe(res.body.logo);
    expect(tracked.page).toContain(`<img class="brand__logo" src="${res.body.logo}" alt="" height="40">`);
    const elsewhere = await request(other);
    expect(elsewhere.dto).not.toHaveProperty('organizationLogo');
    expect(elsewhere.page).not.toContain('brand__logo');
    expect((await t.http('GET', `/api/v1/public/organizations/${town.org.slug}`)).body.logo).toBe(res.body.logo);
    expect((await t.http('GET', '/api/v1/auth/me', { token: town.agentEC.token })).body.organization.logo).toBe(res.body.logo);
    // Another town has none.
    expect((await t.http('GET', '/api/v1/auth/me', { token: other.agentEC.token })).body.organization.logo).toBeUndefined();
    expect((await fetch(`${t.url}/api/v1/public/organizations/${other.org.slug}/logo`)).status).toBe(404);

    const { rows } = await t.db.query(
      `SELECT agent_id, data FROM audit_event WHERE organization_id = $1 AND action = 'organization.logo_updated'`,
      [town.org.id],
    );
    expect(rows).toEqual([
      {
        agent_id: town.admin.id,
        data: { before: null, after: { sha256: expect.any(String), type: 'image/png', size: image.length } },
      },
    ]);
  });

  it('refuses what is not a PNG, JPEG or WebP by its bytes, an SVG, and more than 512 KiB, in French', async () => {
    const before = (await t.http('GET', '/api/v1/organization/settings', { token: town.admin.token })).body.logo;
    const notImage = await upload(town.admin.token, Buffer.from('MZ\x90\x00 not an image at all'), 'image/png');
    expect(notImage).toMatchObject({
      status: 400,
      body: { message: 'logo : une image PNG, JPEG ou WebP est attendue (le fichier envoyé n’en est pas une)' },
    });
    const svg = await upload(
      town.admin.token,
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      'image/svg+xml',
      'logo.svg',
    );
    expect(svg.status).toBe(400);
    const large = await upload(town.admin.token, png(8, 8, [0, 0, 0], 600 * 1024), 'image/png');
    expect(large).toMatchObject({ status: 413, body: { message: 'logo : 512 Ko au maximum (réduisez l’image)' } });
    expect((await t.http('PUT', '/api/v1/organization/logo', { token: town.admin.token, form: new FormData() })).status).toBe(
      400,
    );
    // Only admins; nothing changed.
    expect((await upload(town.supervisor.token, png(4, 4, [1, 2, 3]), 'image/png')).status).toBe(403);
    expect((await t.http('GET', '/api/v1/organization/settings', { token: town.admin.token })).body.logo).toBe(before);
  });

  it('a replaced or removed logo is no longer named, and the blob sweep spares only the current one', async () => {
    const first = (await upload(other.admin.token, png(10, 10, [200, 0, 0]), 'image/png')).body.logo as string;
    const second = (await upload(other.admin.token, png(10, 10, [0, 200, 0]), 'image/png')).body.logo as string;
    expect(second).not.toBe(first);
    const sha = (await t.db.query(`SELECT logo_sha256 FROM organization WHERE id = $1`, [other.org.id])).rows[0].logo_sha256;
    const blobs = t.app.get(BlobRepository);
    expect((await blobs.unreferenced([sha])).size).toBe(0);
    const removed = await t.http('DELETE', '/api/v1/organization/logo', { token: other.admin.token });
    expect(removed).toMatchObject({ status: 200, body: { logo: null } });
    expect((await blobs.unreferenced([sha])).has(sha)).toBe(true);
    expect((await fetch(`${t.url}/api/v1/public/organizations/${other.org.slug}/logo`)).status).toBe(404);
  });
});
