// Jest's order of test files: the longest first, so that the two workers end together (a long
// file started last keeps one worker busy while the other has nothing left). Jest sorts by the
// durations of its last run on this machine, but a clean clone (CI) has none and falls back to
// file size, which puts a long browser file behind bigger but quicker ones. Measured durations
// (seconds; only their ratios count) are committed in test-durations.json: `pnpm test` writes
// every file's into .jest-durations.json, to copy over after a full run when files are added or
// change a lot. A file without one is ranked by its size, after the measured ones.
const { readFileSync } = require('node:fs');
const { join, relative } = require('node:path');
// Jest's own sequencer, found where Jest finds it (it is not a dependency of the root package).
const jestConfig = require.resolve('jest-config', { paths: [require.resolve('jest')] });
const Sequencer = require(require.resolve('@jest/test-sequencer', { paths: [jestConfig] })).default;

const root = join(__dirname, '..');
const committed = JSON.parse(readFileSync(join(__dirname, 'test-durations.json'), 'utf8'));

class LongestFirst extends Sequencer {
  sort(tests) {
    const known = (test) => committed[relative(root, test.path)];
    // A file not in the list (new since the last measure): Jest's own duration if it has one,
    // else a guess from its size (a few seconds per 10 kB), as Jest's own fallback would rank it.
    const size = (test) => test.context.hasteFS.getSize(test.path) ?? 0;
    const seconds = (test) => known(test) ?? (this.time(test) !== undefined ? this.time(test) / 1000 : size(test) / 3000);
    const estimate = new Map(tests.map((t) => [t, seconds(t)]));
    return [...tests].sort((a, b) => estimate.get(b) - estimate.get(a) || (a.path < b.path ? -1 : 1));
  }
}

module.exports = LongestFirst;
