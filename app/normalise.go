package app

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"minyi/domain"
)

// maxTitleRunes bounds a title derived from the body when the source gave none.
const maxTitleRunes = 40

// normalise cleans an incoming item so that what is stored, hashed and shown is consistent:
// valid UTF-8, no control characters, runs of spaces folded, a title and a time always present.
func normalise(it domain.Item, now time.Time) domain.Item {
	it.Title = cleanText(it.Title, false)
	it.Body = cleanText(it.Body, true)
	if it.Title == "" {
		it.Title = firstRunes(strings.ReplaceAll(it.Body, "\n", " "), maxTitleRunes)
	}
	if it.Time.IsZero() {
		it.Time = now
	}
	if it.Channel == "" {
		it.Channel = domain.ChannelOther
	}
	it.Source = strings.TrimSpace(it.Source)
	it.SourceID = strings.TrimSpace(it.SourceID)
	return it
}

// cleanText makes s valid UTF-8, drops control characters, folds space runs and, when
// keepLines is set, keeps single line breaks between paragraphs.
func cleanText(s string, keepLines bool) string {
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	b.Grow(len(s))
	space, newline := false, false
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			if keepLines {
				newline = true
			} else {
				space = true
			}
		case unicode.IsSpace(r) || r == '\u00a0' || r == '\u3000':
			space = true
		case unicode.IsControl(r) || r == '\ufeff' || r == '\u200b':
			// dropped
		default:
			if b.Len() > 0 {
				if newline {
					b.WriteByte('\n')
				} else if space {
					b.WriteByte(' ')
				}
			}
			space, newline = false, false
			b.WriteRune(r)
		}
	}
	return b.String()
}

func firstRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k] + "…"
		}
		i++
	}
	return s
}

// contentHash identifies a message by its words alone, so the same text re-posted with other
// spacing, punctuation or letter case counts as a duplicate.
func contentHash(title, body string) string {
	h := sha256.New()
	var buf [4]byte
	for _, part := range []string{title, "\x00", body} {
		for _, r := range part {
			if part != "\x00" && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				continue
			}
			n := utf8.EncodeRune(buf[:], unicode.ToLower(r))
			h.Write(buf[:n])
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
