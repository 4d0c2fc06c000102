import { pgClean, pgJson } from '../../src/common/pg-text';

describe('pgClean and pgJson', () => {
  it('returns a clean value as it is, without copying it', () => {
    const value = { body: 'Bonjour 👋 — déjà vu', list: ['a', { b: 'c' }], n: 3, at: null };
    expect(pgClean(value)).toBe(value);
    expect(pgJson(value)).toBe(JSON.stringify(value));
  });

  it('removes NUL and replaces lone surrogates, in values and keys at any depth', () => {
    const dirty = { ['cl\u0000é']: ['x\u0000y', { deep: 'a\ud800b' }], ok: 'fine 👋' };
    const cleaned = { ['clé']: ['xy', { deep: 'a\ufffdb' }], ok: 'fine 👋' };
    expect(pgClean(dirty)).toEqual(cleaned);
    expect(JSON.parse(pgJson(dirty))).toEqual(cleaned);
    expect(pgJson(dirty)).not.toMatch(/\\u(0000|d[89a-f])/);
  });

  it('keeps a typed backslash before "u0000" (a false alarm only costs the walk)', () => {
    const value = { path: 'C:\\u0000\\dossier' };
    expect(pgClean(value)).toEqual(value);
    expect(JSON.parse(pgJson(value))).toEqual(value);
  });

  it('leaves bytes alone, and does not read them to check the text beside them', () => {
    // An attachment as the mail parser gives it (a Uint8Array), and as Node gives one (a Buffer).
    const bytes = new Uint8Array(10 * 1024 * 1024).fill(0x5c);
    const buffer = Buffer.alloc(1024 * 1024, 0);
    const inbound = { text: 'Voici les plans.', attachments: [{ fileName: 'plans.pdf', content: bytes }, { content: buffer }] };
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      expect(pgClean(inbound)).toBe(inbound);
      // What was written to check the value holds its text, not a number per byte.
      expect(stringify.mock.results.every((r) => String(r.value).length < 1000)).toBe(true);
    } finally {
      stringify.mockRestore();
    }
    const dirty = { text: 'a\u0000b', attachments: [{ content: bytes }] };
    const cleaned = pgClean(dirty);
    expect(cleaned.text).toBe('ab');
    expect(cleaned.attachments[0]!.content).toBe(bytes);
  });

  it('leaves what is not plain data alone', () => {
    const buffer = Buffer.from('\u0000');
    expect(pgClean({ buffer }).buffer).toBe(buffer);
    expect(pgClean({ n: 1n })).toEqual({ n: 1n });
    expect(pgClean('a\u0000b')).toBe('ab');
  });
});
