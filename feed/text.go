package feed

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// HTMLToText turns markup from a feed or page into plain text, so that nothing a source
// sends can ever run in the webview: it drops script, style and similar elements with their
// content, decodes entities, and keeps paragraph breaks as single newlines. Runs of spaces
// (including NBSP and the full-width indentation common on government pages) collapse to one.
func HTMLToText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return cleanText(s)
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	b.Grow(len(s))
	skip := 0 // depth inside elements whose content is never text
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return cleanText(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if droppedElements[tag] {
				if tt == html.StartTagToken {
					skip++
				}
				continue
			}
			if blockElements[tag] {
				b.WriteByte('\n')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if droppedElements[tag] {
				if skip > 0 {
					skip--
				}
				continue
			}
			if blockElements[tag] {
				b.WriteByte('\n')
			}
		}
	}
}

// droppedElements never contain readable text; their content is discarded.
var droppedElements = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true, "iframe": true,
	"object": true, "embed": true, "svg": true, "math": true, "head": true,
	"select": true, "button": true, "canvas": true, "video": true, "audio": true,
}

// blockElements end a paragraph or line.
var blockElements = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "tr": true, "h1": true, "h2": true,
	"h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true, "section": true,
	"article": true, "table": true, "ul": true, "ol": true, "dd": true, "dt": true, "pre": true,
	"hr": true, "header": true, "footer": true, "figure": true, "figcaption": true, "address": true,
}

// cleanText normalises plain text: CRLF to LF, control characters removed, runs of spaces
// (any Unicode space, NBSP, U+3000) collapsed to one ASCII space, spaces around line breaks
// trimmed, at most one empty line kept between paragraphs, and the ends trimmed.
func cleanText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	newlines := 0
	for _, r := range s {
		switch {
		case r == '\r' || r == '\n' || r == '\u2028' || r == '\u2029':
			if r == '\r' {
				r = '\n'
			}
			pendingSpace = false
			newlines++
		case unicode.IsSpace(r) || r == '\u3000' || r == '\u00a0':
			pendingSpace = true
		case r == utf8.RuneError || unicode.IsControl(r) || r == '\ufeff' || r == '\u200b':
			// dropped: control characters, BOMs, zero-width spaces, replacement characters
		default:
			if b.Len() > 0 {
				if newlines > 0 {
					b.WriteByte('\n')
				} else if pendingSpace {
					b.WriteByte(' ')
				}
			}
			newlines, pendingSpace = 0, false
			b.WriteRune(r)
		}
	}
	return b.String()
}

// oneLine is cleanText with line breaks turned into spaces, for titles, names and ids.
func oneLine(s string) string {
	s = cleanText(s)
	if strings.IndexByte(s, '\n') >= 0 {
		s = strings.ReplaceAll(s, "\n", " ")
	}
	return s
}

// markupRE recognises text that carries HTML tags or entities and so needs HTMLToText.
var markupRE = regexp.MustCompile(`<(?:/?[a-zA-Z][a-zA-Z0-9]*[\s/>]|!--)|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});`)

// looksLikeHTML reports whether s contains markup rather than, say, "a<b" in a sentence.
func looksLikeHTML(s string) bool {
	return strings.ContainsAny(s, "<&") && markupRE.MatchString(s)
}

// repairText returns s as valid, readable UTF-8, repairing the two common kinds of mojibake
// (UTF-8 read as Latin-1, or as GBK) when that can be done losslessly. ok is false when the text
// is broken beyond repair (invalid UTF-8, replacement characters, unrepairable mojibake), so the
// caller rejects the row instead of storing garbage.
func repairText(s string) (string, bool) {
	if !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) {
		return s, false
	}
	if fixed, ok := fixLatin1Mojibake(s); ok {
		s = fixed
	}
	if fixed, suspect := gbkMojibake(s); suspect {
		return fixed, fixed != ""
	}
	return s, true
}

// fixLatin1Mojibake undoes UTF-8 that was decoded as Latin-1/Windows-1252 ("å¸‚" for "市").
func fixLatin1Mojibake(s string) (string, bool) {
	hasHigh := false
	for _, r := range s {
		if r > 0xff {
			return s, false
		}
		if r >= 0xc0 {
			hasHigh = true
		}
	}
	if !hasHigh {
		return s, false
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	if !utf8.Valid(b) || utf8.RuneCount(b) == len(b) {
		return s, false
	}
	return string(b), true
}

// mostlyRareHan says whether at least half of the Han characters in s lie outside GB2312's first
// level (the 3,755 common characters). UTF-8 bytes read as GBK land in the second level and the GBK
// extension (lead bytes 0xE4–0xE9), so mojibake is made of rare characters; real text, even a
// short "速度好快！" whose GBK bytes happen to be valid UTF-8, is not.
func mostlyRareHan(s string) bool {
	han, rare := 0, 0
	enc := simplifiedchinese.GBK.NewEncoder()
	var buf [8]byte
	for _, r := range s {
		if r < 0x4e00 || r > 0x9fff {
			continue
		}
		han++
		n := utf8.EncodeRune(buf[:], r)
		b, err := enc.Bytes(buf[:n])
		if err != nil || len(b) != 2 || b[0] >= 0xd8 || b[1] < 0xa1 {
			rare++
		}
	}
	return han > 0 && rare*2 >= han
}

// gbkMojibake detects UTF-8 Chinese that was wrongly decoded as GBK ("鍏充簬" for "关于"): the
// GBK bytes of such text are themselves mostly valid UTF-8, which ordinary Chinese (simplified
// or traditional) almost never is. fixed is the repaired text, or "" when bytes were lost and
// it cannot be repaired.
func gbkMojibake(s string) (fixed string, suspect bool) {
	cjk := 0
	for _, r := range s {
		if r >= 0x2000 {
			cjk++
		}
	}
	if cjk < 3 {
		return "", false
	}
	enc, err := encoding.ReplaceUnsupported(simplifiedchinese.GBK.NewEncoder()).Bytes([]byte(s))
	if err != nil {
		return "", false
	}
	good, bad := 0, 0
	for b := enc; len(b) > 0; {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n <= 1:
			bad++
		case n > 1:
			good++
		}
		b = b[n:]
	}
	if good < 3 || bad*4 > good || !mostlyRareHan(s) {
		return "", false
	}
	if bad == 0 && utf8.Valid(enc) {
		return string(enc), true
	}
	return "", true
}
