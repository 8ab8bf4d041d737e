// Package nlp reads Chinese messages: it segments them with a compact dictionary built from
// gse's embedded dictionary plus Minyi's domain terms, finds places, keywords, urgency cues and
// the matter type, and hands the words to the classifiers for category and sentiment.
package nlp

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"minyi/domain"
)

// Analyzer reads Chinese messages. One per process: it holds the dictionary (about 20 MB)
// and is safe for concurrent use.
type Analyzer struct {
	dict        *dictionary
	stop        map[string]bool
	stopNode    []uint64 // bit per dictionary node: the word ending there is in stop
	gaz         atomic.Pointer[Gazetteer]
	idf         atomic.Pointer[IDF]
	classifiers atomic.Pointer[Classifiers]
	pool        sync.Pool // *scratch
	phrases     *phraseSet
}

// Load builds the segmenter and gazetteer. With a cacheDir (e.g. <data>/cache) the compact
// dictionary is read from, or after a first build written to, a versioned and checksummed
// file there, so later loads take a fraction of a second; "" builds it in memory every time.
// A cache that is stale or corrupt is rebuilt. Load also loads DefaultClassifiers.
func Load(ctx context.Context, cacheDir string) (*Analyzer, error) {
	a, err := loadAnalyzer(ctx, cacheDir)
	if err != nil {
		return nil, err
	}
	cl, err := DefaultClassifiers()
	if err != nil {
		return nil, fmt.Errorf("load classifiers: %w", err)
	}
	a.classifiers.Store(cl)
	return a, nil
}

// loadAnalyzer is Load without the classifiers.
func loadAnalyzer(ctx context.Context, cacheDir string) (*Analyzer, error) {
	gaz, err := LoadGazetteer(strings.NewReader(gazetteerText))
	if err != nil {
		return nil, fmt.Errorf("load built-in gazetteer: %w", err)
	}
	names := gaz.Names()
	hash := sourceHash(names)
	var d *dictionary
	if cacheDir != "" {
		d, _ = readCache(cacheDir, hash) // any failure means: rebuild
	}
	if d == nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if d, err = buildFromSources(names); err != nil {
			return nil, err
		}
		if cacheDir != "" {
			// A cache that cannot be written only costs time at the next start.
			_ = writeCache(cacheDir, d, hash)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a := newAnalyzer(d)
	a.gaz.Store(gaz)
	return a, nil
}

func newAnalyzer(d *dictionary) *Analyzer {
	a := &Analyzer{dict: d, stop: parseWordSet(stopWordsText)}
	a.stopNode = make([]uint64, (len(d.logp)+63)/64)
	for w := range a.stop {
		if n, ok := d.lookup(w); ok {
			a.stopNode[n/64] |= 1 << (n % 64)
		}
	}
	a.pool.New = func() any { return new(scratch) }
	a.phrases = newPhraseSet()
	return a
}

// SetClassifiers swaps in retrained models; concurrent Analyze calls see either the old or
// the new set.
func (a *Analyzer) SetClassifiers(c *Classifiers) { a.classifiers.Store(c) }

// Gazetteer returns the gazetteer in use.
func (a *Analyzer) Gazetteer() *Gazetteer { return a.gaz.Load() }

// SetGazetteer swaps in another gazetteer, e.g. one read from <data>/gazetteer.tsv. Names
// the dictionary does not know are still found by joining adjacent words.
func (a *Analyzer) SetGazetteer(g *Gazetteer) { a.gaz.Store(g) }

// SetIDF makes keywords use an IDF table built from the deployment's own messages instead
// of the general one shipped with the dictionary; nil goes back to the general one.
func (a *Analyzer) SetIDF(idf *IDF) { a.idf.Store(idf) }

// posOf returns the part-of-speech tag of a token of the main segmentation.
func (a *Analyzer) posOf(s seg) string {
	switch s.kind {
	case kindNum:
		return "m"
	case kindLatin:
		return "eng"
	case kindPunct:
		return "w"
	case kindSpace:
		return "x"
	}
	if s.node == 0 {
		return "x"
	}
	return a.dict.posOf(s.node)
}

// Segment returns the search-mode token stream of text: every word of the main
// segmentation, and before each Han word of three or more runes the dictionary words of two
// and three runes inside it (so 垃圾分类 yields 垃圾, 分类, 垃圾分类). Start and End are exact
// byte offsets into text; Text is the normalised (lower-case, half-width) form of
// text[Start:End]. White space is left out; punctuation is kept with Pos "w".
func (a *Analyzer) Segment(text string) []domain.Token {
	sc := a.pool.Get().(*scratch)
	defer a.pool.Put(sc)
	segs := a.dict.cut(text, sc)
	texts := sc.fillTexts(segs)
	out := make([]domain.Token, 0, len(segs)+len(segs)/4)
	for k, s := range segs {
		if s.kind == kindSpace {
			continue
		}
		if s.kind == kindWord && s.re-s.rs >= 3 {
			out = a.appendSubwords(out, sc, s)
		}
		out = append(out, domain.Token{
			Text:  texts[k],
			Start: sc.off[s.rs],
			End:   sc.off[s.re],
			Pos:   a.posOf(s),
		})
	}
	return out
}

// appendSubwords adds the 2- and 3-rune dictionary words inside a longer word.
func (a *Analyzer) appendSubwords(out []domain.Token, sc *scratch, s seg) []domain.Token {
	for n := 2; n <= 3 && n < s.re-s.rs; n++ {
		for i := s.rs; i+n <= s.re; i++ {
			node := a.dict.nodeOf(sc.runes[i : i+n])
			if node != 0 && a.dict.logp[node] != 0 {
				out = append(out, domain.Token{
					Text:  string(sc.runes[i : i+n]),
					Start: sc.off[i],
					End:   sc.off[i+n],
					Pos:   a.dict.posOf(node),
				})
			}
		}
	}
	return out
}

// Words returns the words of text for indexing, queries and features: the main
// segmentation, normalised, without stop words, punctuation or white space.
func (a *Analyzer) Words(text string) []string {
	sc := a.pool.Get().(*scratch)
	defer a.pool.Put(sc)
	segs := a.dict.cut(text, sc)
	sc.fillTexts(segs)
	return a.words(sc, segs)
}

func (a *Analyzer) words(sc *scratch, segs []seg) []string {
	buf := sc.words[:0] // gathered here first, so that the result is allocated at its size
	for k, s := range segs {
		if s.kind != kindSpace && s.kind != kindPunct && !a.isStop(s, sc.texts[k]) {
			buf = append(buf, sc.texts[k])
		}
	}
	out := make([]string, len(buf))
	copy(out, buf)
	clear(buf)
	sc.words = buf[:0]
	return out
}

// isStop reports whether token s, whose normalised text is w, is a stop word:
// a dictionary word's node answers without hashing its text.
func (a *Analyzer) isStop(s seg, w string) bool {
	if s.node != 0 {
		return a.stopNode[s.node/64]&(1<<(s.node%64)) != 0
	}
	return a.stop[w]
}

// Analyze reads a message: it segments title and body once (as title+"\n"+body, the text
// Place offsets refer to) and fills Words, Places, District, Street, Keywords, UrgencyCues,
// Priority and Matter, then lets the classifiers fill Category, Sentiment and Emotion.
func (a *Analyzer) Analyze(title, body string) domain.Analysis {
	text := title + "\n" + body
	sc := a.pool.Get().(*scratch)
	defer a.pool.Put(sc)
	segs := a.dict.cut(text, sc)
	sc.fillTexts(segs)
	var an domain.Analysis
	an.Words = a.words(sc, segs)
	an.Places, an.District, an.Street = a.findPlaces(text, sc, segs)
	an.Keywords = a.keywords(sc, segs, len(title), defaultKeywords)
	an.UrgencyCues, an.Priority, an.Matter = a.phrases.scan(sc, utf8.RuneCountInString(title))
	if c := a.classifiers.Load(); c != nil {
		c.Apply(text, an.Words, &an)
		complaintAware(&an, text)
	}
	return an
}
