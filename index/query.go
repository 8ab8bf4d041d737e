package index

import (
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// maxExactRun is the longest run of Chinese characters searched as one exact substring; longer
// runs are split into the pipeline's words, each required somewhere in the text, since an
// officer typing 小区停车收费 wants the records about both, not only that exact string.
const maxExactRun = 4

// compiler turns a parsed query into a bleve query and collects the literal strings to highlight.
type compiler struct {
	seg     Segmenter
	ix      *Index // time ranges are answered from its time columns
	scored  bool   // the query is ranked by relevance (see scoreRarest)
	needles []string
}

// compile converts n; nil means the node matches nothing useful and is dropped.
func (c *compiler) compile(n *node, positive bool) query.Query {
	switch n.kind {
	case nodeAnd:
		var must, not []query.Query
		for _, ch := range n.children {
			if ch.kind == nodeNot {
				if q := c.compile(ch.children[0], !positive); q != nil {
					not = append(not, q)
				}
				continue
			}
			if q := c.compile(ch, positive); q != nil {
				must = append(must, q)
			}
		}
		if len(not) == 0 {
			return conj(must)
		}
		bq := bleve.NewBooleanQuery()
		if len(must) == 0 {
			bq.AddMust(bleve.NewMatchAllQuery())
		} else {
			bq.AddMust(must...)
		}
		bq.AddMustNot(not...)
		return bq
	case nodeOr:
		var alts []query.Query
		for _, ch := range n.children {
			if q := c.compile(ch, positive); q != nil {
				alts = append(alts, q)
			}
		}
		switch len(alts) {
		case 0:
			return nil
		case 1:
			return alts[0]
		}
		return bleve.NewDisjunctionQuery(alts...)
	case nodeNot:
		q := c.compile(n.children[0], !positive)
		if q == nil {
			return nil
		}
		bq := bleve.NewBooleanQuery()
		bq.AddMust(bleve.NewMatchAllQuery())
		bq.AddMustNot(q)
		return bq
	case nodeTerm:
		return c.term(n.text, n.field, positive)
	case nodePhrase:
		if positive {
			c.needles = append(c.needles, n.text)
		}
		return c.scoreRarest(substring(n.text, n.field == fTitle))
	case nodeField:
		if n.field == "_id" {
			return bleve.NewDocIDQuery(strings.Split(n.text, ","))
		}
		return keywordQuery(n.field, n.text)
	case nodeTime:
		return c.ix.dateRange(n.from, n.to)
	}
	return nil
}

// term compiles free text: a CJK run of up to maxExactRun characters must occur as a substring,
// longer runs are split into the pipeline's words, each of which must occur as a substring; Latin/digit tokens must occur as tokens. Whole-word occurrences score higher.
func (c *compiler) term(text, field string, positive bool) query.Query {
	var parts []query.Query
	for _, run := range scriptRuns(text) {
		if !run.cjk {
			scanNgrams([]byte(run.text), modeLatin, func(tok []byte, _, _, _ int) {
				t := string(tok)
				if positive {
					c.needles = append(c.needles, t)
				}
				parts = append(parts, c.word(t, field))
			})
			continue
		}
		words := []string{run.text}
		if utf8.RuneCountInString(run.text) > maxExactRun {
			words = c.words(run.text)
		}
		if positive {
			c.needles = append(c.needles, run.text)
			c.needles = append(c.needles, words...)
		}
		for _, w := range words {
			parts = append(parts, c.word(w, field))
		}
	}
	return conj(parts)
}

// words segments a CJK run with the pipeline's segmenter, keeping only words that really are
// substrings of the run (so no segmenter normalisation can cost recall). When the segmenter
// drops everything (a stop word), the run itself is searched.
func (c *compiler) words(run string) []string {
	if c.seg == nil {
		return []string{run}
	}
	var out []string
	for _, w := range c.seg.Words(run) {
		w = strings.TrimSpace(w)
		if w != "" && strings.Contains(run, w) {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return []string{run}
	}
	return out
}

// word matches one word: anywhere as a substring, ranked higher where it is one of the pipeline's
// gse words (渣土 alone, not inside 渣土车). The substring is scored (through its rarest bigram,
// see scoreRarest); the whole word only has to match (boost 0), which doubles the score through
// the disjunction's coordination factor: both of its clauses match instead of one. Scoring the
// whole word's own frequency as well decoded a second postings list, about as long as the first,
// for every ranked record: on the 1M bench, a sixth of a ranked query's CPU and a fifth of its p95.
func (c *compiler) word(w, field string) query.Query {
	if field == fTitle {
		return substring(w, true)
	}
	sub := c.scoreRarest(substring(w, false))
	if sub == nil {
		return nil
	}
	whole := bleve.NewTermQuery(w)
	whole.SetField(fWords)
	whole.SetBoost(0)
	return bleve.NewDisjunctionQuery(sub, whole)
}

// substring matches s as a substring of the text (or, with inTitle, of the title): one bigram or
// Latin token as a term, anything longer as all of its bigrams (in the title: a phrase of them,
// which is exact), and a single CJK character as a prefix over the field's bigrams and run-final
// characters.
func substring(s string, inTitle bool) query.Query {
	field := fText
	if inTitle {
		field = fTitle
	}
	type tok struct {
		term string
		pos  int
	}
	var toks []tok
	scanNgrams([]byte(s), modeBigram|modeLatin, func(t []byte, _, _, pos int) {
		toks = append(toks, tok{string(t), pos})
	})
	switch len(toks) {
	case 0:
		var chars []query.Query
		for _, r := range s {
			if !isCJK(r) {
				continue
			}
			p := bleve.NewPrefixQuery(string(r))
			p.SetField(field)
			chars = append(chars, p)
		}
		return conj(chars)
	case 1:
		return termOn(field, toks[0].term)
	}
	if !inTitle {
		// The text field has no positions (they would cost a third of the index), so a longer
		// string is the conjunction of its distinct bigrams: every record containing it matches,
		// and measured precision for 3–4 characters is 0.99+ (see TestSubstringRecallPrecision).
		seen := map[string]bool{}
		var qs []query.Query
		for _, t := range toks {
			if !seen[t.term] {
				seen[t.term] = true
				qs = append(qs, termOn(field, t.term))
			}
		}
		return conj(qs)
	}
	first := toks[0].pos
	terms := make([]string, toks[len(toks)-1].pos-first+1)
	for _, t := range toks {
		terms[t.pos-first] = t.term
	}
	return bleve.NewPhraseQuery(terms, field)
}

// scoreRarest makes a conjunction of bigrams score through its rarest bigram alone: the others
// still have to match but get boost 0. Every bigram of a string occurs wherever the string
// does, so scoring all of them counted one occurrence once per bigram, and common bigrams (反映,
// 居民) that also occur elsewhere in a record added noise; relevance then reads each bigram's
// postings, so scoring one instead of all also makes it faster. Other queries are returned as
// they are.
func (c *compiler) scoreRarest(q query.Query) query.Query {
	cq, ok := q.(*query.ConjunctionQuery)
	if !ok || !c.scored || c.ix == nil || len(cq.Conjuncts) < 2 {
		return q // a time-sorted page reads no scores: spare it the document frequencies
	}
	terms := make([]*query.TermQuery, 0, len(cq.Conjuncts))
	for _, x := range cq.Conjuncts {
		tq, ok := x.(*query.TermQuery)
		if !ok || tq.FieldVal != fText {
			return q
		}
		terms = append(terms, tq)
	}
	dfs, err := c.ix.docFreqs(fText, terms)
	if err != nil {
		return q // scored through every bigram, as before
	}
	best := 0
	for i, df := range dfs {
		if df < dfs[best] {
			best = i
		}
	}
	for i, tq := range terms {
		if i != best {
			tq.SetBoost(0)
		}
	}
	return q
}

// termOn is a term query on one field.
func termOn(field, term string) query.Query {
	q := bleve.NewTermQuery(term)
	q.SetField(field)
	return q
}

// keywordQuery matches a keyword field exactly, or failing that by containment (部门:城管 finds
// 市城管局): keyword fields have few distinct values, so the wildcard's dictionary scan is cheap.
func keywordQuery(field, v string) query.Query {
	exact := termOn(field, v)
	wc := bleve.NewWildcardQuery("*" + escapeWildcard(v) + "*")
	wc.SetField(field)
	return bleve.NewDisjunctionQuery(exact, wc)
}

// escapeWildcard quotes the characters bleve's wildcard syntax gives meaning to.
func escapeWildcard(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '*' || r == '?' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// conj is the conjunction of qs, dropping nils; nil when nothing is left.
func conj(qs []query.Query) query.Query {
	out := qs[:0:0]
	for _, q := range qs {
		if q != nil {
			out = append(out, q)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return bleve.NewConjunctionQuery(out...)
}

// scriptRun is a maximal piece of query text that is all CJK or all not.
type scriptRun struct {
	text string
	cjk  bool
}

// scriptRuns splits text into CJK and non-CJK runs so only Chinese goes through the segmenter and
// Latin/digit tokens (12345, PM2.5) keep the index's own tokenisation.
func scriptRuns(text string) []scriptRun {
	var out []scriptRun
	start := 0
	cur := false
	for i, r := range text {
		c := isCJK(r)
		if i > start && c != cur {
			out = append(out, scriptRun{text[start:i], cur})
			start = i
		}
		if i == start {
			cur = c
		}
	}
	if start < len(text) {
		out = append(out, scriptRun{text[start:], cur})
	}
	return out
}
