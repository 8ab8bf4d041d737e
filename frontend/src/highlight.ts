// highlight.ts splits record text into plain pieces and pieces to highlight. The UI renders the
// pieces as text nodes and <mark> elements — never as HTML — because feed text is hostile.
import type { Mark } from './types'

/** Segment is one piece of text; kind is set when the piece is highlighted. */
export interface Segment {
  text: string
  kind?: string
}

/** SNIPPET_OPEN and SNIPPET_CLOSE delimit a match in Row.snippet (private-use code points). */
export const SNIPPET_OPEN = '\uE000'
export const SNIPPET_CLOSE = '\uE001'

/**
 * splitSnippet splits a search snippet on its U+E000/U+E001 markers. Unbalanced markers are
 * tolerated: a stray close is dropped, an unclosed open highlights to the end.
 */
export function splitSnippet(s: string): Segment[] {
  const out: Segment[] = []
  let buf = ''
  let inHit = false
  const flush = () => {
    if (buf !== '') out.push(inHit ? { text: buf, kind: 'hit' } : { text: buf })
    buf = ''
  }
  for (const ch of s) {
    if (ch === SNIPPET_OPEN) {
      if (!inHit) {
        flush()
        inHit = true
      }
    } else if (ch === SNIPPET_CLOSE) {
      if (inHit) {
        flush()
        inHit = false
      }
    } else {
      buf += ch
    }
  }
  flush()
  return merge(out)
}

const KIND_RANK: Record<string, number> = { urgency: 0, place: 1, keyword: 2 }

/** foldCase lower-cases for matching but only when that keeps offsets (it does for CJK and ASCII). */
function foldCase(s: string): string {
  const l = s.toLowerCase()
  return l.length === s.length ? l : s
}

/**
 * splitMarks finds every occurrence of the marks in text (case-insensitively, as gse lower-cases
 * its words) and returns the text cut into segments. Where matches overlap, the earlier one wins,
 * then the longer, then urgency over place over keyword.
 */
export function splitMarks(text: string, marks: readonly Mark[] | null | undefined): Segment[] {
  if (!text) return []
  if (!marks || marks.length === 0) return [{ text }]
  const hay = foldCase(text)
  type Hit = { start: number; end: number; kind: string }
  const hits: Hit[] = []
  const seen = new Set<string>()
  for (const m of marks) {
    const needle = foldCase(m.text ?? '').trim()
    if (needle === '' || seen.has(needle + '\u0000' + m.kind)) continue
    seen.add(needle + '\u0000' + m.kind)
    let from = 0
    for (;;) {
      const at = hay.indexOf(needle, from)
      if (at < 0) break
      hits.push({ start: at, end: at + needle.length, kind: m.kind || 'keyword' })
      from = at + needle.length
    }
  }
  hits.sort((a, b) =>
    a.start - b.start || (b.end - b.start) - (a.end - a.start) ||
    (KIND_RANK[a.kind] ?? 9) - (KIND_RANK[b.kind] ?? 9))
  const out: Segment[] = []
  let pos = 0
  for (const h of hits) {
    if (h.start < pos) continue
    if (h.start > pos) out.push({ text: text.slice(pos, h.start) })
    out.push({ text: text.slice(h.start, h.end), kind: h.kind })
    pos = h.end
  }
  if (pos < text.length) out.push({ text: text.slice(pos) })
  return out
}

// merge joins neighbouring segments of the same kind (e.g. "<a><b>" from adjacent markers).
function merge(segs: Segment[]): Segment[] {
  const out: Segment[] = []
  for (const s of segs) {
    const last = out[out.length - 1]
    if (last && last.kind === s.kind) last.text += s.text
    else out.push({ ...s })
  }
  return out
}
