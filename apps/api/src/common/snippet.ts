/** How many characters of a message the conversation list shows. */
export const SNIPPET_CHARS = 160;

/** The one snippet rule: white space folded to single spaces, trimmed, cut to SNIPPET_CHARS. */
export function snippetOf(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, SNIPPET_CHARS);
}
