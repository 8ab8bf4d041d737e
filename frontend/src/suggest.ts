// suggest.ts splits the query box's text for completion: Suggest completes only the word being
// typed, so the rest of the query (other words, operators, a field prefix) must stay as written.

/** Completion is the query split into the kept head and the word being typed. */
export interface Completion {
  head: string
  word: string
}

// A word ends at white space, a full-width space, a quote, a bracket or a field's colon.
const BOUNDARY = /[\s\u3000"“”()（）:：-]/

/** splitLast returns the text before the last word and the last word itself. */
export function splitLast(q: string): Completion {
  let i = q.length
  while (i > 0 && !BOUNDARY.test(q[i - 1])) i--
  return { head: q.slice(0, i), word: q.slice(i) }
}

/** completions turns Suggest's words into whole queries, dropping the one already typed. */
export function completions(q: string, words: string[] | null | undefined): string[] {
  const { head, word } = splitLast(q)
  const seen = new Set<string>()
  const out: string[] = []
  for (const w of words ?? []) {
    if (!w || w === word || seen.has(w)) continue
    seen.add(w)
    out.push(head + w)
  }
  return out
}
