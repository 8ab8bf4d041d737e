package nlp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"minyi/domain"
)

// Place levels, as domain.Place.Level spells them.
const (
	LevelProvince  = domain.PlaceProvince
	LevelCity      = domain.PlaceCity
	LevelDistrict  = domain.PlaceDistrict
	LevelStreet    = domain.PlaceStreet
	LevelCommunity = domain.PlaceCommunity
	LevelRoad      = domain.PlaceRoad
)

// ErrBadGazetteer means a gazetteer file has a malformed line.
var ErrBadGazetteer = errors.New("bad gazetteer line")

// gazPlace is one administrative unit of the gazetteer.
type gazPlace struct {
	full   string
	level  string
	path   []string // canonical names from the top down to this place
	parent int      // index of the parent place, -1 at the top
}

// gazName is one way a place is written: its canonical name or an alias.
type gazName struct {
	place int
	alias bool // a short form rather than the canonical name
	ctx   bool // an ordinary word or a common name: counts only when a parent place is mentioned
}

// Gazetteer maps place names and their short forms to the administrative hierarchy.
// It is read-only after loading and safe for concurrent use.
type Gazetteer struct {
	places []gazPlace
	names  map[string][]gazName
	maxLen int // longest name in runes
	// trie holds every name as a rune path (only its structure is used), so that findPlaces
	// walks a text once and stops at the first rune no name continues with, instead of
	// hashing every candidate join of words; nameAt[node] is 1 + the index into keys and
	// opts of the name ending at that node, 0 where none does.
	trie   *dictionary
	nameAt []int32
	keys   []string    // the names
	opts   [][]gazName // g.names[keys[i]]
	// pairs has the bit pairBit(a, b) set for the first two runes a, b of every name: 64 KB
	// that stay in a near cache and answer most second steps of a walk (which, in the 2 MB
	// edge table, miss it) with "no name goes on so".
	pairs []uint64
}

// pairBits is log2 of the bits in Gazetteer.pairs.
const pairBits = 19

// pairBit is the bit of the rune pair a, b in Gazetteer.pairs.
func pairBit(a, b rune) uint64 {
	return (uint64(uint32(a))<<21 ^ uint64(uint32(b))) * 0x9E3779B97F4A7C15 >> (64 - pairBits)
}

// mayPair reports whether some name may start with the runes a, b: false means none does.
func (g *Gazetteer) mayPair(a, b rune) bool {
	i := pairBit(a, b)
	return g.pairs[i/64]>>(i%64)&1 != 0
}

// LoadGazetteer reads a gazetteer in the TSV form of data/gazetteer.tsv: level, canonical
// name, parent path (canonical names joined by "/"), comma-separated aliases ("?" in front
// of an alias that is also an ordinary word, or of a canonical name that many places of the
// country bear, such as a 新农村村委会). Lines starting with "#" are comments.
// Parents must come before their children.
func LoadGazetteer(r io.Reader) (*Gazetteer, error) {
	g := &Gazetteer{names: make(map[string][]gazName)}
	byPath := make(map[string]int)
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) < 2 || strings.TrimSpace(f[0]) == "" || strings.TrimSpace(f[1]) == "" {
			return nil, fmt.Errorf("gazetteer line %d %q: %w", line, text, ErrBadGazetteer)
		}
		level, full := strings.TrimSpace(f[0]), strings.TrimSpace(f[1])
		weak := strings.HasPrefix(full, "?")
		if full = strings.TrimPrefix(full, "?"); full == "" {
			return nil, fmt.Errorf("gazetteer line %d %q: %w", line, text, ErrBadGazetteer)
		}
		parent := -1
		var path []string
		if len(f) > 2 && strings.TrimSpace(f[2]) != "" {
			pp := strings.TrimSpace(f[2])
			i, ok := byPath[pp]
			if !ok {
				return nil, fmt.Errorf("gazetteer line %d: parent %q not defined above: %w", line, pp, ErrBadGazetteer)
			}
			parent = i
			path = append(path, g.places[i].path...)
		}
		path = append(path, full)
		idx := len(g.places)
		g.places = append(g.places, gazPlace{full: full, level: level, path: path, parent: parent})
		byPath[strings.Join(path, "/")] = idx
		g.addName(full, gazName{place: idx, ctx: weak})
		if len(f) > 3 {
			for _, a := range strings.Split(f[3], ",") {
				a = strings.TrimSpace(a)
				ctx := strings.HasPrefix(a, "?")
				a = strings.TrimPrefix(a, "?")
				if a != "" && a != full {
					g.addName(a, gazName{place: idx, alias: true, ctx: ctx})
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read gazetteer: %w", err)
	}
	g.index()
	return g, nil
}

// index builds the name trie from g.names.
func (g *Gazetteer) index() {
	g.keys = make([]string, 0, len(g.names))
	for k := range g.names {
		g.keys = append(g.keys, k)
	}
	var ends []uint32
	g.trie, ends = buildTrie(g.keys)
	g.nameAt = make([]int32, len(g.trie.label))
	g.opts = make([][]gazName, len(g.keys))
	g.pairs = make([]uint64, 1<<pairBits/64)
	for i, k := range g.keys {
		g.opts[i] = g.names[k]
		g.nameAt[ends[i]] = int32(i + 1)
		if a, n := utf8.DecodeRuneInString(k); n < len(k) {
			b, _ := utf8.DecodeRuneInString(k[n:])
			p := pairBit(a, b)
			g.pairs[p/64] |= 1 << (p % 64)
		}
	}
}

func (g *Gazetteer) addName(name string, n gazName) {
	name = Normalize(name)
	g.names[name] = append(g.names[name], n)
	if l := len([]rune(name)); l > g.maxLen {
		g.maxLen = l
	}
}

// Names returns every canonical name and alias of the places above the 社区 level, for the
// segmenter's dictionary. Community names stay out of it: there are thousands, their cores are
// ordinary words and road names (新桥, 云南中路), and as dictionary words they would change how
// every other text is cut; findPlaces joins adjacent words to find them instead.
func (g *Gazetteer) Names() []string {
	out := make([]string, 0, len(g.names))
	for n, ns := range g.names {
		if slices.ContainsFunc(ns, func(x gazName) bool { return g.places[x.place].level != LevelCommunity }) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// Lookup returns every place a name or alias may denote, canonical first.
func (g *Gazetteer) Lookup(name string) []domain.Place {
	var out []domain.Place
	for _, n := range g.names[Normalize(name)] {
		out = append(out, g.place(n.place, name, 0, 0))
	}
	return out
}

// Districts returns the canonical names of all 区县-level places, in file order.
func (g *Gazetteer) Districts() []string {
	var out []string
	for _, p := range g.places {
		if p.level == LevelDistrict {
			out = append(out, p.full)
		}
	}
	return out
}

func (g *Gazetteer) place(i int, name string, start, end int) domain.Place {
	p := g.places[i]
	return domain.Place{Name: name, Full: p.full, Level: p.level, Path: slices.Clone(p.path), Start: start, End: end}
}

// isAncestor reports whether place a is b or one of b's ancestors.
func (g *Gazetteer) isAncestor(a, b int) bool {
	for ; b >= 0; b = g.places[b].parent {
		if a == b {
			return true
		}
	}
	return false
}

// related reports whether one of a and b lies within the other.
func (g *Gazetteer) related(a, b int) bool { return g.isAncestor(a, b) || g.isAncestor(b, a) }
