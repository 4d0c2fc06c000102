// Jest's order of test files: the longest first, so that the two workers end together (a long
// file started last keeps one worker busy while the other has nothing left). Jest sorts by the
// durations of its last run on this machine, but a clean clone (CI) has none and falls back to
// file size, which puts a long browser file behind bigger but quicker ones. Measured durations
// (seconds; only their ratios count) come from one whole run, the freshest there is:
// - .jest-durations.json, which each whole `pnpm test` writes (every file's, this checkout);
// - else scripts/test-durations.json, the same committed (a clean clone has only this one):
//   copy the first over it after a whole run when files were added or changed a lot.
// A file without a measure (new since) gets Jest's own last duration if it has one, else its size
// times the seconds per byte measured for files of its kind (browser, end-to-end, other), so
// that a new browser file is not ranked with unit tests of its size.
const { existsSync, readFileSync } = require('node:fs');
const { join, relative } = require('node:path');
// Jest's own sequencer, found where Jest finds it (it is not a dependency of the root package).
const jestConfig = require.resolve('jest-config', { paths: [require.resolve('jest')] });
const Sequencer = require(require.resolve('@jest/test-sequencer', { paths: [jestConfig] })).default;

const root = join(__dirname, '..');
const local = join(root, '.jest-durations.json');
const measured = JSON.parse(readFileSync(existsSync(local) ? local : join(__dirname, 'test-durations.json'), 'utf8'));

const kindOf = (file) => (file.startsWith('apps/web/e2e/') ? 'browser' : /(^|\/)e2e\//.test(file) ? 'e2e' : 'other');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

class LongestFirst extends Sequencer {
  sort(tests) {
    const file = (test) => relative(root, test.path);
    const size = (test) => test.context.hasteFS.getSize(test.path) ?? 0;
    // Seconds per byte of the measured files of each kind in this run; for a kind without any, a
    // few seconds per 10 kB (the scale of Jest's own guess).
    const rates = new Map();
    for (const test of tests) {
      const seconds = measured[file(test)];
      const kind = kindOf(file(test));
      if (seconds !== undefined && size(test)) rates.set(kind, [...(rates.get(kind) ?? []), seconds / size(test)]);
    }
    const rate = (test) => median(rates.get(kindOf(file(test))) ?? [1 / 3000]);
    const seconds = (test) =>
      measured[file(test)] ?? (this.time(test) !== undefined ? this.time(test) / 1000 : size(test) * rate(test));
    const estimate = new Map(tests.map((t) => [t, seconds(t)]));
    return [...tests].sort((a, b) => estimate.get(b) - estimate.get(a) || (a.path < b.path ? -1 : 1));
  }
}

module.exports = LongestFirst;
