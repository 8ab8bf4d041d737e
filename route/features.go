package route

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"minyi/domain"
)

// features turns a message into the string features of the learned router: words and word
// bigrams of the body, title words (a title is a summary, so its words count apart), the places
// found, category and matter. When the analysis has no words (nlp not run) it falls back to
// character 1–3-grams so that routing still learns something.
func features(it *domain.Item, a *domain.Analysis, pl found, charGrams bool) []string {
	title, body := "", ""
	if it != nil {
		title, body = lower(it.Title), lower(it.Body)
	}
	// About 3 grams of 2+3·n bytes per 3-byte rune of text, twice for the title.
	n := len(title) + len(body)
	fb := featBuf{b: make([]byte, 0, 8*n+256), ends: make([]int, 0, n+32)}
	var words []string
	if a != nil {
		words = a.Words
	}
	if len(words) > 0 {
		prev := ""
		for _, w := range words {
			if !isWord(w) {
				prev = ""
				continue
			}
			fb.add("w:", w, "", "")
			if prev != "" {
				fb.add("b:", prev, "_", w)
			}
			prev = w
		}
		for _, w := range words {
			if isWord(w) && strings.Contains(title, w) {
				fb.add("t:", w, "", "")
			}
		}
	}
	if len(words) == 0 || charGrams {
		fb.charGrams("c", title+"\n"+body)
		fb.charGrams("tc", title)
	}
	if pl.district != "" {
		for range 3 {
			fb.add("d:", pl.district, "", "")
		}
	}
	if pl.street != "" {
		for range 3 {
			fb.add("s:", pl.street, "", "")
		}
	}
	for _, p := range pl.all {
		fb.add("p:", p, "", "")
	}
	for _, h := range pl.hints {
		fb.add("h:", h, "", "")
	}
	if it != nil && !it.Time.IsZero() {
		// Letters on one matter arrive together (campaigns, a building site, a school's intake),
		// so the day and week of writing point at the department that handled their neighbours.
		y, w := it.Time.ISOWeek()
		fb.add("day:", it.Time.Format("2006-01-02"), "", "")
		fb.add(fmt.Sprintf("wk:%d-%02d", y, w), "", "", "")
	}
	if a != nil {
		if a.Category != "" {
			fb.add("cat:", a.Category, "", "")
		}
		if a.Matter != "" {
			fb.add("m:", a.Matter, "", "")
		}
	}
	return fb.strings(nil)
}

// featBuf builds many short feature strings back to back in one buffer and cuts them out of
// one string at the end: a message has about a thousand features, and a string allocation
// each made building them cost more than the models that read them.
type featBuf struct {
	b    []byte
	ends []int
}

// add appends the feature a+b+c+d.
func (f *featBuf) add(a, b, c, d string) {
	f.b = append(append(append(append(f.b, a...), b...), c...), d...)
	f.ends = append(f.ends, len(f.b))
}

// strings appends the features, in the order they were added, to fs.
func (f *featBuf) strings(fs []string) []string {
	all := string(f.b)
	start := 0
	for _, e := range f.ends {
		fs = append(fs, all[start:e])
		start = e
	}
	return fs
}

// charGrams adds prefix:g for the character 1–3-grams g of the letters and digits of s (the
// classic segmentation-free text features for Chinese), each start's grams shortest first.
func (f *featBuf) charGrams(prefix, s string) {
	// run holds the byte spans of the last (up to) 3 runes of the current run of letters and
	// digits whose grams are not all emitted yet.
	type span struct{ start, end int }
	var run [3]span
	n := 0                   // runes of the run seen, up to 3 kept
	emit := func(from int) { // the grams starting at run[from]
		for k := from; k < n && k < 3; k++ {
			f.add(prefix, ":", s[run[from].start:run[k].end], "")
		}
	}
	flush := func() { // the run ended: the starts not yet emitted get their shorter grams
		for i := 0; i < min(n, 3); i++ {
			emit(i)
		}
		n = 0
	}
	for i, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			flush()
			continue
		}
		end := i + utf8.RuneLen(r)
		if n == 3 {
			emit(0) // the oldest start's three grams are complete
			run[0], run[1] = run[1], run[2]
			n = 2
		}
		run[n] = span{i, end}
		n++
	}
	flush()
}

// appendCharGrams adds character 1–3-grams of the letters and digits of s (see charGrams).
func appendCharGrams(fs []string, prefix, s string) []string {
	var fb featBuf
	fb.charGrams(prefix, s)
	return fb.strings(fs)
}

// isWord drops punctuation and space tokens, which carry no routing signal.
func isWord(w string) bool {
	for _, r := range w {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}
