import { preferredEncoding } from '../../src/common/accept-encoding';

describe('choosing the encoding of a response from Accept-Encoding', () => {
  it('prefers brotli when the client takes both equally, whatever order the client lists them in', () => {
    expect(preferredEncoding('gzip, deflate, br, zstd', ['br', 'gzip'])).toBe('br');
    expect(preferredEncoding('gzip, deflate', ['br', 'gzip'])).toBe('gzip');
    expect(preferredEncoding('br', ['gzip'])).toBeNull();
  });

  it('follows the client’s q-values, a wildcard, and sends nothing encoded without a header or with q=0', () => {
    expect(preferredEncoding('br;q=0.5, gzip', ['br', 'gzip'])).toBe('gzip');
    expect(preferredEncoding('br;q=0, gzip;q=0', ['br', 'gzip'])).toBeNull();
    expect(preferredEncoding('*', ['br', 'gzip'])).toBe('br');
    expect(preferredEncoding('identity', ['br', 'gzip'])).toBeNull();
    expect(preferredEncoding(undefined, ['br', 'gzip'])).toBeNull();
  });
});
