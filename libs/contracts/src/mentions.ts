/** Lower-case, without accents: « @Élodie » mentions « Elodie ». */
const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

/**
 * The agents a note mentions: `@` followed by an agent's whole name (« @Marie Durand »), with
 * accents and case ignored, not followed by another letter or digit. Longer names win where
 * two overlap (« @Marie Durand » is not also « @Marie »). Answers ids, in `agents`' order.
 */
export function mentionedAgentIds(body: string, agents: readonly { id: string; name: string }[]): string[] {
  const text = fold(body);
  const found = new Set<string>();
  const taken: [number, number][] = [];
  const byLength = [...agents].filter((a) => a.name.trim()).sort((a, b) => b.name.length - a.name.length);
  for (const a of byLength) {
    const needle = `@${fold(a.name.trim())}`;
    for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      const end = i + needle.length;
      const before = i === 0 ? '' : text[i - 1]!;
      const after = text[end] ?? '';
      if (/[\p{L}\p{N}_.-]/u.test(before) || /[\p{L}\p{N}_]/u.test(after)) continue;
      if (taken.some(([s, e]) => i < e && end > s)) continue;
      taken.push([i, end]);
      found.add(a.id);
    }
  }
  return agents.filter((a) => found.has(a.id)).map((a) => a.id);
}

/** The word being typed after an `@` just before the cursor (for the composer's list), or null. */
export function mentionQueryAt(text: string, cursor: number): { start: number; query: string } | null {
  const head = text.slice(0, cursor);
  const at = head.lastIndexOf('@');
  if (at < 0) return null;
  if (at > 0 && /[\p{L}\p{N}_.-]/u.test(head[at - 1]!)) return null; // an e-mail address, not a mention
  const query = head.slice(at + 1);
  if (query.length > 40 || /[\n@]/.test(query) || /\s\s/.test(query)) return null;
  return { start: at, query };
}

/** Whether an agent's name matches what is typed after `@` (start of the name or of a word, accents ignored). */
export function mentionMatches(name: string, query: string): boolean {
  const n = fold(name);
  const q = fold(query).trim();
  return !q || n.startsWith(q) || n.split(/\s+/).some((w) => w.startsWith(q));
}
