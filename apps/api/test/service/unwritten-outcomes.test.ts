import type { SendResult } from '@guichet/channels';
import { UNWRITTEN_OUTCOMES_MAX, UnwrittenOutcomes } from '../../src/modules/outbound/unwritten-outcomes';

const sent = (externalId: string): SendResult => ({ ok: true, status: 'sent', externalId });

describe('outcomes a provider gave that could not be written (outbound worker, issue 18)', () => {
  it('gives a kept outcome once, to the run that writes it', () => {
    const kept = new UnwrittenOutcomes();
    kept.keep('m1', sent('SM1'));
    expect(kept.take('m1')).toEqual(sent('SM1'));
    expect(kept.take('m1')).toBeUndefined();
    expect(kept.size).toBe(0);
  });

  it('drops an entry once its message is written or settled otherwise', () => {
    const kept = new UnwrittenOutcomes();
    kept.keep('m1', sent('SM1'));
    kept.keep('m2', sent('SM2'));
    kept.forget('m1');
    kept.forget('never-kept');
    expect(kept.size).toBe(1);
    expect(kept.take('m2')).toEqual(sent('SM2'));
  });

  it('holds at most its cap: the oldest goes first; keeping a message again makes it the newest', () => {
    const kept = new UnwrittenOutcomes(3);
    for (const id of ['a', 'b', 'c']) kept.keep(id, sent(id));
    kept.keep('a', sent('a2'));
    kept.keep('d', sent('d'));
    expect(kept.size).toBe(3);
    expect(kept.take('b')).toBeUndefined();
    expect(kept.take('a')).toEqual(sent('a2'));
    expect(kept.take('c')).toEqual(sent('c'));
    expect(kept.take('d')).toEqual(sent('d'));
  });

  it('stays at the default cap under a long outage (10 × the cap written-off outcomes)', () => {
    const kept = new UnwrittenOutcomes();
    for (let i = 0; i < UNWRITTEN_OUTCOMES_MAX * 10; i++) kept.keep(`m${i}`, sent(`SM${i}`));
    expect(kept.size).toBe(UNWRITTEN_OUTCOMES_MAX);
    expect(kept.take(`m${UNWRITTEN_OUTCOMES_MAX * 10 - 1}`)).toBeDefined();
    expect(kept.take('m0')).toBeUndefined();
  });
});
