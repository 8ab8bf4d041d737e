package route

import (
	"fmt"
	"strings"
	"unicode"

	"minyi/domain"
)

// features turns a message into the string features of the learned router: words and word
// bigrams of the body, title words (a title is a summary, so its words count apart), the places
// found, category and matter. When the analysis has no words (nlp not run) it falls back to
// character 1–3-grams so that routing still learns something.
func features(it *domain.Item, a *domain.Analysis, pl found, charGrams bool) []string {
	var fs []string
	title, body := "", ""
	if it != nil {
		title, body = strings.ToLower(it.Title), strings.ToLower(it.Body)
	}
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
			fs = append(fs, "w:"+w)
			if prev != "" {
				fs = append(fs, "b:"+prev+"_"+w)
			}
			prev = w
		}
		for _, w := range words {
			if isWord(w) && strings.Contains(title, w) {
				fs = append(fs, "t:"+w)
			}
		}
	}
	if len(words) == 0 || charGrams {
		fs = appendCharGrams(fs, "c", title+"\n"+body)
		fs = appendCharGrams(fs, "tc", title)
	}
	if pl.district != "" {
		fs = append(fs, "d:"+pl.district, "d:"+pl.district, "d:"+pl.district)
	}
	if pl.street != "" {
		fs = append(fs, "s:"+pl.street, "s:"+pl.street, "s:"+pl.street)
	}
	for _, p := range pl.all {
		fs = append(fs, "p:"+p)
	}
	for _, h := range pl.hints {
		fs = append(fs, "h:"+h)
	}
	if it != nil && !it.Time.IsZero() {
		// Letters on one matter arrive together (campaigns, a building site, a school's intake),
		// so the day and week of writing point at the department that handled their neighbours.
		y, w := it.Time.ISOWeek()
		fs = append(fs, "day:"+it.Time.Format("2006-01-02"), fmt.Sprintf("wk:%d-%02d", y, w))
	}
	if a != nil {
		if a.Category != "" {
			fs = append(fs, "cat:"+a.Category)
		}
		if a.Matter != "" {
			fs = append(fs, "m:"+a.Matter)
		}
	}
	return fs
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

// appendCharGrams adds character 1–3-grams of the letters and digits of s (the classic
// segmentation-free text features for Chinese).
func appendCharGrams(fs []string, prefix, s string) []string {
	var rs []rune
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			rs = append(rs, r)
		} else {
			rs = append(rs, ' ')
		}
	}
	for i := range rs {
		for n := 1; n <= 3 && i+n <= len(rs); n++ {
			g := rs[i : i+n]
			if strings.ContainsRune(string(g), ' ') {
				break
			}
			fs = append(fs, prefix+":"+string(g))
		}
	}
	return fs
}
