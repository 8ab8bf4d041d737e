package index

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// nodeKind tells what a parsed query node is.
type nodeKind uint8

const (
	nodeAnd    nodeKind = iota // all children
	nodeOr                     // any child
	nodeNot                    // not the single child
	nodeTerm                   // free text: segmented, each word a substring (whole words rank first)
	nodePhrase                 // "quoted": the literal text as one substring
	nodeField                  // field:value on a keyword field
	nodeTime                   // 时间:from..to
)

// node is one element of a parsed user query.
type node struct {
	kind     nodeKind
	children []*node
	text     string    // nodeTerm/nodePhrase/nodeField value
	field    string    // "" (all text) or fTitle for text nodes; the keyword field for nodeField
	from, to time.Time // nodeTime: [from, to), zero = open
}

// fieldPrefixes maps the prefixes officers type (Chinese, plus English aliases) to index fields.
func fieldPrefix(p string) (string, bool) {
	switch strings.ToLower(p) {
	case "标题", "title":
		return fTitle, true
	case "部门", "单位", "dept", "department":
		return fDepartment, true
	case "分类", "类别", "category":
		return fCategory, true
	case "区县", "区", "县", "district":
		return fDistrict, true
	case "街道", "镇", "street":
		return fStreet, true
	case "状态", "status":
		return fStatus, true
	case "渠道", "channel":
		return fChannel, true
	case "情感", "情绪", "sentiment":
		return fSentiment, true
	case "事项", "matter":
		return fMatter, true
	case "时间", "日期", "time", "date":
		return fTime, true
	case "编号", "id":
		return "_id", true
	}
	return "", false
}

// lexeme is one token of the query syntax.
type lexeme struct {
	kind  byte   // 'w' word, 'q' quoted, '(' ')', 'A' AND, 'O' OR, 'N' NOT, 'f' field prefix (text = field, value follows)
	text  string // word or quoted text
	neg   bool   // written with a leading '-'
	field string // for 'w'/'q': field prefix already attached
}

// quotePairs maps opening quote marks to their closing marks: ASCII, Chinese curly and corner quotes.
func closingQuote(r rune) (rune, bool) {
	switch r {
	case '"':
		return '"', true
	case '“':
		return '”', true
	case '「':
		return '」', true
	case '『':
		return '』', true
	case '”': // some input methods type the closing mark twice
		return '”', true
	}
	return 0, false
}

// lex splits the user's query. It never fails: unbalanced quotes run to the end, stray
// operators become words.
func lex(s string) []lexeme {
	var out []lexeme
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r) || r == '\u3000':
			i += size
		case r == '(' || r == '（':
			out = append(out, lexeme{kind: '('})
			i += size
		case r == ')' || r == '）':
			out = append(out, lexeme{kind: ')'})
			i += size
		default:
			if cq, ok := closingQuote(r); ok {
				text, n := readQuoted(s[i+size:], cq)
				out = append(out, lexeme{kind: 'q', text: text})
				i += size + n
				continue
			}
			j := i
			for j < len(s) {
				r2, s2 := utf8.DecodeRuneInString(s[j:])
				if unicode.IsSpace(r2) || r2 == '(' || r2 == ')' || r2 == '（' || r2 == '）' {
					break
				}
				if _, ok := closingQuote(r2); ok && j > i {
					break
				}
				j += s2
			}
			out = append(out, wordLexemes(s[i:j], s[j:], &j)...)
			i = j
		}
	}
	return out
}

// readQuoted returns the text up to the closing quote cq and the bytes consumed (including cq).
func readQuoted(s string, cq rune) (string, int) {
	if k := strings.IndexRune(s, cq); k >= 0 {
		return s[:k], k + utf8.RuneLen(cq)
	}
	return s, len(s)
}

// wordLexemes classifies one space-delimited word: an operator, a -negation, or field:value.
// When the value is a quoted string right after the colon, it is consumed from rest (advancing *j).
func wordLexemes(w, rest string, j *int) []lexeme {
	switch w {
	case "AND", "&&", "且":
		return []lexeme{{kind: 'A'}}
	case "OR", "||", "或":
		return []lexeme{{kind: 'O'}}
	case "NOT", "!", "非":
		return []lexeme{{kind: 'N'}}
	}
	if (w == "-" || w == "!") && rest != "" {
		if r, size := utf8.DecodeRuneInString(rest); size > 0 {
			if cq, ok := closingQuote(r); ok {
				text, n := readQuoted(rest[size:], cq)
				*j += size + n
				return []lexeme{{kind: 'q', text: text, neg: true}}
			}
		}
	}
	neg := false
	if (w[0] == '-' || w[0] == '!') && len(w) > 1 {
		neg = true
		w = w[1:]
	}
	if k := strings.IndexAny(w, ":："); k > 0 {
		if f, ok := fieldPrefix(w[:k]); ok {
			sep := 1
			if w[k] != ':' {
				sep = len("：")
			}
			val := w[k+sep:]
			kind := byte('w')
			if val == "" && rest != "" {
				if r, size := utf8.DecodeRuneInString(rest); size > 0 {
					if cq, ok := closingQuote(r); ok {
						text, n := readQuoted(rest[size:], cq)
						val = text
						kind = 'q'
						*j += size + n
					}
				}
			}
			return []lexeme{{kind: kind, text: val, neg: neg, field: f}}
		}
	}
	return []lexeme{{kind: 'w', text: w, neg: neg}}
}

// parser is a recursive-descent parser over lexemes. OR binds looser than AND; juxtaposition is AND.
type parser struct {
	lx  []lexeme
	pos int
}

// parseQuery parses user query syntax into a node tree; nil means "match everything".
func parseQuery(s string) *node {
	p := &parser{lx: lex(s)}
	var parts []*node
	for p.pos < len(p.lx) {
		if n := p.or(); n != nil {
			parts = append(parts, n)
		} else if p.pos < len(p.lx) {
			p.pos++ // skip a stray ')' or operator
		}
	}
	return andOf(parts)
}

func andOf(parts []*node) *node {
	switch len(parts) {
	case 0:
		return nil
	case 1:
		return parts[0]
	}
	return &node{kind: nodeAnd, children: parts}
}

func (p *parser) peek() byte {
	if p.pos < len(p.lx) {
		return p.lx[p.pos].kind
	}
	return 0
}

func (p *parser) or() *node {
	var alts []*node
	if n := p.and(); n != nil {
		alts = append(alts, n)
	}
	for p.peek() == 'O' {
		p.pos++
		if n := p.and(); n != nil {
			alts = append(alts, n)
		}
	}
	switch len(alts) {
	case 0:
		return nil
	case 1:
		return alts[0]
	}
	return &node{kind: nodeOr, children: alts}
}

func (p *parser) and() *node {
	var parts []*node
	for {
		switch p.peek() {
		case 0, ')', 'O':
			return andOf(parts)
		case 'A':
			p.pos++
			continue
		}
		if n := p.unary(); n != nil {
			parts = append(parts, n)
		}
	}
}

func (p *parser) unary() *node {
	switch p.peek() {
	case 'N':
		p.pos++
		if c := p.unary(); c != nil {
			return &node{kind: nodeNot, children: []*node{c}}
		}
		return nil
	case '(':
		p.pos++
		n := p.or()
		if p.peek() == ')' {
			p.pos++
		}
		return n
	case 0, ')':
		return nil // dangling NOT: nothing to negate
	}
	lx := p.lx[p.pos]
	p.pos++
	n := leaf(lx)
	if n != nil && lx.neg {
		n = &node{kind: nodeNot, children: []*node{n}}
	}
	return n
}

// leaf turns a word or quoted lexeme into a node.
func leaf(lx lexeme) *node {
	text := strings.TrimSpace(lx.text)
	if text == "" {
		return nil
	}
	switch lx.field {
	case "":
		if lx.kind == 'q' {
			return &node{kind: nodePhrase, text: text}
		}
		return &node{kind: nodeTerm, text: text}
	case fTitle:
		if lx.kind == 'q' {
			return &node{kind: nodePhrase, text: text, field: fTitle}
		}
		return &node{kind: nodeTerm, text: text, field: fTitle}
	case fTime:
		from, to, ok := parseTimeRange(text)
		if !ok {
			return &node{kind: nodeTerm, text: text} // not a date: search it as text
		}
		return &node{kind: nodeTime, from: from, to: to}
	}
	return &node{kind: nodeField, field: lx.field, text: text}
}

// parseTimeRange reads 2024, 2024-03, 2024-03-05 (also with / or . or 年月日) and a..b ranges
// (either side may be empty). The end is exclusive: the day, month or year after b.
func parseTimeRange(s string) (from, to time.Time, ok bool) {
	for _, sep := range []string{"..", "～", "~", "至", "到"} {
		if a, b, found := strings.Cut(s, sep); found {
			var fok, tok bool
			if a = strings.TrimSpace(a); a != "" {
				if from, _, fok = parseDate(a); !fok {
					return time.Time{}, time.Time{}, false
				}
			}
			if b = strings.TrimSpace(b); b != "" {
				if _, to, tok = parseDate(b); !tok {
					return time.Time{}, time.Time{}, false
				}
			}
			return from, to, a != "" || b != ""
		}
	}
	return parseDate(s)
}

// parseDate reads one date of year, month or day precision as the half-open span it names.
func parseDate(s string) (from, to time.Time, ok bool) {
	r := strings.NewReplacer("/", "-", ".", "-", "年", "-", "月", "-", "日", "")
	s = strings.TrimSuffix(r.Replace(s), "-")
	for _, f := range []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{"2006-1-2", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-1", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
		{"20060102", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
	} {
		if t, err := time.ParseInLocation(f.layout, s, cst); err == nil {
			return t, f.next(t), true
		}
	}
	return time.Time{}, time.Time{}, false
}
