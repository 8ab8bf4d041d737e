package index

import (
	"strings"
	"unicode/utf8"
)

// Snippet markers: private-use runes that open and close a highlighted match in Hit.Snippet. They
// are stripped from indexed text, so only the index can produce them.
const (
	markOpen  = "\uE000"
	markClose = "\uE001"
)

// snippetRunes is the length of a snippet in characters.
const snippetRunes = 120

// makeSnippet returns about snippetRunes characters of text around its best match of needles,
// every match wrapped in markOpen/markClose. It is plain text: nothing is escaped or interpreted,
// so <script> stays literal for the UI to show as text. ok is false when no needle occurs.
func makeSnippet(text string, needles [][]rune, mark bool) (snip string, ok bool) {
	rs := []rune(clean(text))
	folded := make([]rune, len(rs))
	for i, r := range rs {
		folded[i] = foldRune(r)
	}
	// Every match as [start,end) in runes.
	type span struct{ s, e int }
	var spans []span
	for _, n := range needles {
		if len(n) == 0 {
			continue
		}
		for i := 0; i+len(n) <= len(folded); i++ {
			if folded[i] == n[0] && runesEqual(folded[i:i+len(n)], n) {
				spans = append(spans, span{i, i + len(n)})
			}
		}
	}
	if len(spans) == 0 {
		return cut(rs, 0, min(len(rs), snippetRunes), nil), false
	}
	// Pick the window start (a match start) covering the most matched characters; favour earlier.
	best, bestScore := 0, -1
	for ci, c := range spans {
		score := 0
		for _, o := range spans {
			if o.s >= c.s && o.e <= c.s+snippetRunes {
				score += o.e - o.s
			}
		}
		if score > bestScore || (score == bestScore && c.s < spans[best].s) {
			best, bestScore = ci, score
		}
	}
	// Centre a little: show some context before the match.
	start := max(0, spans[best].s-snippetRunes/5)
	end := min(len(rs), start+snippetRunes)
	start = max(0, end-snippetRunes)
	// Merge overlapping matches into a mark mask.
	var mask []bool
	if mark {
		mask = make([]bool, len(rs))
		for _, sp := range spans {
			for i := sp.s; i < sp.e; i++ {
				mask[i] = true
			}
		}
	}
	return cut(rs, start, end, mask), true
}

// cut renders rs[start:end] with ellipses where text was cut and markers around masked runs.
func cut(rs []rune, start, end int, mask []bool) string {
	var b strings.Builder
	b.Grow((end - start + 4) * 3)
	if start > 0 {
		b.WriteString("…")
	}
	in := false
	for i := start; i < end; i++ {
		m := mask != nil && mask[i]
		if m && !in {
			b.WriteString(markOpen)
		} else if !m && in {
			b.WriteString(markClose)
		}
		in = m
		r := rs[i]
		if r == '\n' || r == '\r' || r == '\t' {
			r = ' '
		}
		b.WriteRune(r)
	}
	if in {
		b.WriteString(markClose)
	}
	if end < len(rs) {
		b.WriteString("…")
	}
	return b.String()
}

func runesEqual(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// foldNeedles prepares query strings for matching against folded text, dropping duplicates.
func foldNeedles(ss []string) [][]rune {
	seen := map[string]bool{}
	var out [][]rune
	for _, s := range ss {
		s = strings.TrimSpace(s)
		if s == "" || seen[s] || !utf8.ValidString(s) {
			continue
		}
		seen[s] = true
		n := make([]rune, 0, len(s))
		for _, r := range s {
			n = append(n, foldRune(r))
		}
		out = append(out, n)
	}
	return out
}
