import { timeLeft } from '../../src/modules/municipal-events/registrant-notices.service';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Issue 17: a reminder says the real time left before the start, in French, not its schedule. */
describe('timeLeft', () => {
  it('says minutes under an hour, hours to the quarter up to three days, then days', () => {
    expect(timeLeft(30 * HOUR)).toBe('30 h');
    // The minute sweep claims the 2 h reminder a few seconds after its time.
    expect(timeLeft(2 * HOUR - 40_000)).toBe('2 h');
    expect(timeLeft(48 * HOUR - 3 * MIN)).toBe('48 h');
    expect(timeLeft(HOUR + 44 * MIN)).toBe('1 h 45');
    expect(timeLeft(HOUR + 5 * MIN)).toBe('1 h');
    expect(timeLeft(45 * MIN)).toBe('45 min');
    expect(timeLeft(10_000)).toBe('1 min');
    expect(timeLeft(7 * 24 * HOUR)).toBe('7 jours');
    expect(timeLeft(71 * HOUR)).toBe('71 h');
  });
});
