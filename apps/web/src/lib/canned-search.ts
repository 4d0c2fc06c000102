import type { CannedReplyDto } from '@guichet/contracts';

/** Accents and case ignored, as the API's search: « deces » finds « Décès ». */
export const foldText = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** The replies whose title or text holds every word typed, those whose title does first. */
export function matchCannedReplies(replies: readonly CannedReplyDto[], query: string): CannedReplyDto[] {
  const words = foldText(query).split(/\s+/).filter(Boolean);
  if (!words.length) return [...replies];
  const scored: { reply: CannedReplyDto; inTitle: boolean }[] = [];
  for (const reply of replies) {
    const title = foldText(reply.title);
    const text = `${title} ${foldText(reply.body)}`;
    if (words.every((w) => text.includes(w))) scored.push({ reply, inTitle: words.every((w) => title.includes(w)) });
  }
  return scored.sort((a, b) => Number(b.inTitle) - Number(a.inTitle)).map((s) => s.reply);
}
