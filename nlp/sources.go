package nlp

import (
	"bufio"
	"crypto/sha256"
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-ego/gse"
)

// The shipped word lists. They are read-only text; Load parses them into an Analyzer.
var (
	//go:embed data/userdict.txt
	userDictText string
	//go:embed data/stopwords.txt
	stopWordsText string
	//go:embed data/gazetteer.tsv
	gazetteerText string
)

// gseSource names the general dictionary the cache is built from; change it with the gse version.
const gseSource = "github.com/go-ego/gse@v0.80.3 zh_s + idf"

// Frequencies given to words Minyi adds, high enough that the shortest path keeps them whole.
const (
	userWordFreq  = 3000
	placeWordFreq = 2000
)

// sourceHash identifies the inputs of the dictionary, so a cache built from others is rebuilt.
func sourceHash(extra []string) [32]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00%s\x00", gseSource, cacheFormat, userDictText)
	for _, w := range extra {
		h.Write([]byte(w))
		h.Write([]byte{0})
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// buildFromSources builds the dictionary from gse's embedded simplified-Chinese dictionary
// and IDF table, Minyi's domain terms and the given place names. It is the slow path
// (gse's own loader takes a second or two) that the cache avoids.
func buildFromSources(places []string) (*dictionary, error) {
	seg, err := gse.NewEmbed("zh_s")
	if err != nil {
		return nil, fmt.Errorf("load gse dictionary: %w", err)
	}
	idf := parseIDF(gse.ZhIdf)
	isPlace := make(map[string]bool, len(places))
	for _, p := range places {
		isPlace[Normalize(p)] = true
	}
	general := make(map[string]wordInfo)
	entries := make([]dictEntry, 0, len(seg.Dict.Tokens)+1000)
	for i := range seg.Dict.Tokens {
		t := &seg.Dict.Tokens[i]
		w := Normalize(strings.TrimSpace(t.Text()))
		if w == "" || strings.ContainsAny(w, " \t") {
			continue
		}
		entries = append(entries, dictEntry{word: w, freq: t.Freq(), pos: t.Pos(), idf: idf[w]})
		if isPlace[w] {
			general[w] = wordInfo{freq: float32(t.Freq()), pos: t.Pos()}
		}
	}
	seg.Dict = nil
	for w := range isPlace {
		if _, ok := general[w]; !ok {
			general[w] = wordInfo{} // not a word of the general dictionary
		}
	}
	for _, e := range parseUserDict(userDictText) {
		e.idf = idf[e.word]
		entries = append(entries, e)
	}
	for _, p := range places {
		entries = append(entries, dictEntry{word: Normalize(p), freq: placeWordFreq, pos: "ns", idf: idf[p]})
	}
	d := buildDictionary(entries)
	d.general = general
	return d, nil
}

// parseUserDict reads "word [freq [pos]]" lines.
func parseUserDict(text string) []dictEntry {
	var out []dictEntry
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		e := dictEntry{word: Normalize(f[0]), freq: userWordFreq, pos: "n"}
		if len(f) > 1 {
			if v, err := strconv.ParseFloat(f[1], 64); err == nil && v > 0 {
				e.freq = v
			}
		}
		if len(f) > 2 {
			e.pos = f[2]
		}
		out = append(out, e)
	}
	return out
}

// parseIDF reads "word idf" lines such as gse's idf.txt.
func parseIDF(text string) map[string]float32 {
	m := make(map[string]float32, 300000)
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		sp := strings.LastIndexByte(line, ' ')
		if sp <= 0 {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(line[sp+1:]), 32)
		if err != nil {
			continue
		}
		m[Normalize(strings.TrimSpace(line[:sp]))] = float32(v)
	}
	return m
}

// parseWordSet reads one word per line, skipping comments.
func parseWordSet(text string) map[string]bool {
	m := make(map[string]bool)
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			m[Normalize(l)] = true
		}
	}
	return m
}
