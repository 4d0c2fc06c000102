import { isGsm7, smsSegments } from '../sms-segments';

describe('smsSegments', () => {
  it('counts an empty message as no segment', () => {
    expect(smsSegments('')).toMatchObject({ encoding: 'GSM-7', units: 0, segments: 0, charactersLeft: 160 });
  });

  it('keeps French text with é, è, à, ù in GSM-7', () => {
    const text = 'Votre carte est arrivée à la mairie, où vous pouvez la retirer.';
    expect(isGsm7(text)).toBe(true);
    expect(smsSegments(text)).toEqual({
      encoding: 'GSM-7',
      units: text.length,
      segments: 1,
      perSegment: 160,
      charactersLeft: 160 - text.length,
      nonGsmCharacters: [],
    });
  });

  it('fits 160 GSM-7 characters in one SMS and splits 161 into 153-character segments', () => {
    expect(smsSegments('a'.repeat(160))).toMatchObject({ segments: 1, charactersLeft: 0 });
    expect(smsSegments('a'.repeat(161))).toMatchObject({ segments: 2, perSegment: 153, charactersLeft: 153 * 2 - 161 });
    expect(smsSegments('a'.repeat(306))).toMatchObject({ segments: 2, charactersLeft: 0 });
    expect(smsSegments('a'.repeat(307))).toMatchObject({ segments: 3 });
  });

  it('counts extension characters (€, [, ], {, }, ^, ~, |, \\) as two septets', () => {
    expect(smsSegments('Tarif : 12 €')).toMatchObject({ encoding: 'GSM-7', units: 13 });
    expect(smsSegments('€'.repeat(80))).toMatchObject({ units: 160, segments: 1 });
    expect(smsSegments('€'.repeat(81))).toMatchObject({ units: 162, segments: 2 });
  });

  it('never splits an escape pair across segments', () => {
    // 152 plain characters then a €: the pair does not fit in the first 153 septets.
    const s = smsSegments('a'.repeat(152) + '€' + 'b'.repeat(10));
    expect(s.segments).toBe(2);
    expect(s.charactersLeft).toBe(153 - 12);
  });

  it('switches to UCS-2 for ê, ç, œ, curly quotes and emoji: 70 then 67 per segment', () => {
    const text = 'Votre dossier est prêt';
    expect(smsSegments(text)).toMatchObject({
      encoding: 'UCS-2',
      units: text.length,
      segments: 1,
      perSegment: 70,
      nonGsmCharacters: ['ê'],
    });
    expect(smsSegments('ç')).toMatchObject({ encoding: 'UCS-2' });
    expect(smsSegments('Ç')).toMatchObject({ encoding: 'GSM-7' });
    expect(smsSegments('c’est')).toMatchObject({ encoding: 'UCS-2', nonGsmCharacters: ['’'] });
    expect(smsSegments('ê'.repeat(70))).toMatchObject({ segments: 1, charactersLeft: 0 });
    expect(smsSegments('ê'.repeat(71))).toMatchObject({ segments: 2, perSegment: 67, charactersLeft: 67 * 2 - 71 });
    expect(smsSegments('👍')).toMatchObject({ encoding: 'UCS-2', units: 2, charactersLeft: 68 });
  });
});
