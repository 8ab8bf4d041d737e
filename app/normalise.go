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
	// The letters and digits are gathered first and hashed in one Write: a Write per rune was
	// most of the cost. The bytes hashed are the same, so stored hashes stay valid.
	var stack [2048]byte
	buf := hashText(hashText(stack[:0], title), "\x00")
	buf = hashText(buf, body)
	h := sha256.New()
	h.Write(buf)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// hashText appends what contentHash hashes of part: its letters and digits, lower-cased (and
// the separator "\x00" as it is).
func hashText(dst []byte, part string) []byte {
	if part == "\x00" {
		return append(dst, 0)
	}
	for _, r := range part {
		switch {
		case r >= 0x4E00 && r <= 0x9FFF: // CJK ideographs: letters without case, most of the text
			dst = utf8.AppendRune(dst, r)
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
				dst = append(dst, byte(r))
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
	}
	return dst
}
