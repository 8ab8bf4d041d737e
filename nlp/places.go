package nlp

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"minyi/domain"
)

// placeHit is a gazetteer name found in a text, before disambiguation.
type placeHit struct {
	name       string // normalised as written
	start, end int    // byte offsets
	opts       []gazName
	chosen     int // index into Gazetteer.places, -1 while undecided
	partial    []string
}

// maxPlaceTokens is how many adjacent words are joined to match a name the dictionary splits.
const maxPlaceTokens = 3

// findPlaces finds administrative places and roads among the main tokens of text, resolves
// short and ambiguous names by the other places mentioned, and picks the district and
// street the message is about: the most specific place consistent with the most others.
func (a *Analyzer) findPlaces(text string, sc *scratch, segs []seg) ([]domain.Place, string, string) {
	g := a.gaz.Load()
	if g == nil {
		return nil, "", ""
	}
	hits := sc.hits[:0]
	for i := 0; i < len(segs); i++ {
		if segs[i].kind != kindWord {
			continue
		}
		// Walk the name trie along up to maxPlaceTokens adjacent words, noting the name that
		// ends with each; the walk stops at the first rune no name continues with.
		var ends [maxPlaceTokens]int32
		walked := 0
		if first := segs[i].rs; g.trie.mayStart(sc.runes[first]) {
			node := uint32(0)
		walk:
			for k := 0; k < maxPlaceTokens && i+k < len(segs) && segs[i+k].kind == kindWord; k++ {
				for r := segs[i+k].rs; r < segs[i+k].re; r++ {
					if r == first+1 && !g.mayPair(sc.runes[first], sc.runes[r]) {
						break walk // what the second step would find out, from a nearer cache
					}
					if node = g.trie.child(node, sc.runes[r]); node == 0 {
						break walk
					}
				}
				ends[k], walked = g.nameAt[node], k+1
			}
		}
		// The longest join of words that is a name wins.
		k := walked
		for k > 0 && ends[k-1] == 0 {
			k--
		}
		if k == 0 {
			if segs[i].re-segs[i].rs >= 4 && a.nameLike(segs[i]) {
				hits = appendInnerPlaces(hits, g, sc, segs[i])
			}
			continue
		}
		n := ends[k-1] - 1
		hits = append(hits, placeHit{name: g.keys[n], start: sc.off[segs[i].rs], end: sc.off[segs[i+k-1].re], opts: g.opts[n], chosen: -1})
		i += k - 1
	}
	a.resolvePlaces(g, hits)
	roads := a.findRoads(text, sc, segs)
	// One allocation for the places and one for the paths of those taken.
	n, npath := len(roads), 0
	for _, h := range hits {
		if h.chosen >= 0 {
			n++
			npath += len(g.places[h.chosen].path)
		} else if h.partial != nil {
			n++
		}
	}
	places := make([]domain.Place, 0, n)
	paths := make([]string, npath)
	chosen := sc.chosen[:0]
	for _, h := range hits {
		if h.chosen >= 0 {
			p := &g.places[h.chosen]
			path := paths[:len(p.path):len(p.path)]
			paths = paths[copy(path, p.path):]
			places = append(places, domain.Place{Name: text[h.start:h.end], Full: p.full, Level: p.level, Path: path, Start: h.start, End: h.end})
			chosen = append(chosen, h.chosen)
		} else if h.partial != nil {
			p := g.places[h.opts[0].place]
			places = append(places, domain.Place{Name: text[h.start:h.end], Full: p.full, Level: p.level, Path: h.partial, Start: h.start, End: h.end})
		}
	}
	best := mostSpecific(g, chosen)
	district, street := "", ""
	var bestPath []string
	if best >= 0 {
		bestPath = g.places[best].path
		for i := best; i >= 0; i = g.places[i].parent {
			switch g.places[i].level {
			case LevelDistrict:
				district = g.places[i].full
			case LevelStreet:
				street = g.places[i].full
			}
		}
	}
	for _, r := range roads {
		if c := communityRoadPath(g, r.Full, best); c != nil {
			r.Path = append(c, r.Full)
		} else if bestPath != nil {
			n := min(len(bestPath), depthOf(g, best, LevelStreet))
			r.Path = append(append(make([]string, 0, n+1), bestPath[:n]...), r.Full)
		}
		places = append(places, r)
	}
	slices.SortStableFunc(places, func(x, y domain.Place) int { return x.Start - y.Start })
	// Drop the references into this message before the buffers are reused.
	clear(hits)
	clear(roads)
	sc.hits, sc.roads, sc.chosen = hits[:0], roads[:0], chosen[:0]
	return places, district, street
}

// communityRoadPath returns the path down to the street of the communities a road names
// (云南中路 → 云南中路居委会 of 南京东路街道, whose office a letter about that road most likely
// concerns), or down to their district when they lie in several streets of one; nil when the
// road names no community, when the text names a street already, or when the communities lie in
// no district the text names (or, when it names none, in several districts). Such a path is a
// hint for routing, not a place found: it sets neither the district nor the street.
func communityRoadPath(g *Gazetteer, road string, best int) []string {
	if best >= 0 && depthOf(g, best, LevelStreet) > depthOf(g, best, LevelDistrict) {
		return nil
	}
	anc, found := -1, false // the nearest place all the road's communities lie in (-1: none)
	for _, o := range g.names[road] {
		c := o.place
		if g.places[c].level != LevelCommunity || (best >= 0 && !g.isAncestor(best, c)) {
			continue
		}
		if !found {
			anc, found = g.places[c].parent, true
			continue
		}
		for anc >= 0 && !g.isAncestor(anc, c) {
			anc = g.places[anc].parent
		}
	}
	if anc < 0 {
		return nil
	}
	if lv := g.places[anc].level; lv != LevelDistrict && lv != LevelStreet {
		return nil // they lie in several districts
	}
	if best >= 0 && len(g.places[anc].path) <= len(g.places[best].path) {
		return nil // no more than the text says
	}
	return append(make([]string, 0, len(g.places[anc].path)+1), g.places[anc].path...) // room for the road
}

// nameLike reports a word the dictionary tags as a proper name, or does not know.
func (a *Analyzer) nameLike(s seg) bool {
	switch a.dict.posOf(s.node) {
	case "ns", "nt", "nz", "":
		return true
	}
	return false
}

// appendInnerPlaces finds place names inside one long word the dictionary keeps whole
// (上海市浦东新区), longest first from the left.
func appendInnerPlaces(hits []placeHit, g *Gazetteer, sc *scratch, s seg) []placeHit {
	for i := s.rs; i < s.re-1; {
		end, name := 0, int32(0)
		node := uint32(0)
		for j := i; j < min(s.re, i+g.maxLen); j++ {
			if node = g.trie.child(node, sc.runes[j]); node == 0 {
				break
			}
			if j+1 >= i+2 && g.nameAt[node] != 0 {
				end, name = j+1, g.nameAt[node]-1
			}
		}
		if end == 0 {
			i++
			continue
		}
		hits = append(hits, placeHit{name: g.keys[name], start: sc.off[i], end: sc.off[end], opts: g.opts[name], chosen: -1})
		i = end
	}
	return hits
}

// depthOf returns how many path elements of place i reach down to the given level (or all).
func depthOf(g *Gazetteer, i int, level string) int {
	p := g.places[i].path
	for j := i; j >= 0; j = g.places[j].parent {
		if g.places[j].level == level {
			return len(g.places[j].path)
		}
	}
	return len(p)
}

// resolvePlaces decides each hit: a name that denotes one place and is not an ordinary word
// is taken as it is; the others are taken only when related to a place already taken
// (its parent or child), which is how "江北" next to "惠城区" becomes 江北街道.
func (a *Analyzer) resolvePlaces(g *Gazetteer, hits []placeHit) {
	var sure []int
	for i := range hits {
		h := &hits[i]
		if len(h.opts) == 1 && !a.needsContext(g, h.name, h.opts[0]) {
			h.chosen = h.opts[0].place
			sure = append(sure, h.chosen)
		}
	}
	for changed := true; changed; {
		changed = false
		for i := range hits {
			h := &hits[i]
			if h.chosen >= 0 {
				continue
			}
			if o := closestOption(g, h.opts, sure); o >= 0 {
				h.chosen = o
				sure = append(sure, o)
				changed = true
			}
		}
	}
	// A full name shared by several places (two towns called 龙华镇) is still a place: keep
	// the part of the path they share.
	for i := range hits {
		h := &hits[i]
		if h.chosen >= 0 || len(h.opts) < 2 {
			continue
		}
		full := true
		for _, o := range h.opts {
			full = full && !a.needsContext(g, h.name, o)
		}
		if !full {
			continue
		}
		common := g.places[h.opts[0].place].path
		for _, o := range h.opts[1:] {
			p := g.places[o.place].path
			n := 0
			for n < len(common) && n < len(p) && common[n] == p[n] {
				n++
			}
			common = common[:n]
		}
		h.partial = slices.Clone(common)
	}
}

// closestOption returns the place among opts that a place taken lies within or under, the one
// with the deepest such place; -1 when none is related, or when several are equally close
// (上海 alone does not tell which of two 新村居委会 is meant, 上海 and 徐汇区 do).
func closestOption(g *Gazetteer, opts []gazName, sure []int) int {
	best, bestDepth, tie := -1, -1, false
	for _, o := range opts {
		depth := -1
		for _, s := range sure {
			if d := len(g.places[s].path); d > depth && g.related(s, o.place) {
				depth = d
			}
		}
		switch {
		case depth < 0 || o.place == best:
		case depth > bestDepth:
			best, bestDepth, tie = o.place, depth, false
		case depth == bestDepth:
			tie = true
		}
	}
	if tie {
		return -1
	}
	return best
}

// commonFreq is the general-corpus frequency from which a place alias that is also a word
// (江南, 江北, 中山) is taken for the word unless a parent place is mentioned.
const commonFreq = 300

// needsContext reports whether a name standing alone is too weak a sign of a place: a name or
// alias marked "?" in the gazetteer, or an alias of a district or street that the general
// dictionary knows as an ordinary word (淡水, 花木) or as a frequent one (江南, 中山).
// Other canonical names and aliases of provinces and cities always count.
func (a *Analyzer) needsContext(g *Gazetteer, name string, n gazName) bool {
	if n.ctx {
		return true
	}
	if !n.alias {
		return false
	}
	if l := g.places[n.place].level; l == LevelProvince || l == LevelCity {
		return false
	}
	info, ok := a.dict.general[name]
	if !ok {
		node, found := a.dict.lookup(name)
		if !found {
			return false
		}
		info = wordInfo{freq: float32(math.Exp(float64(a.dict.logp[node] - a.dict.minLogP))), pos: a.dict.posOf(node)}
	}
	if info.freq == 0 {
		return false
	}
	switch info.pos {
	case "ns", "nr", "nz", "nt", "j", "":
		return info.freq >= commonFreq
	}
	return true
}

// mostSpecific picks, among the places taken, the one related to the most others, deepest
// first, earliest on ties; -1 when there is none.
func mostSpecific(g *Gazetteer, chosen []int) int {
	best, bestScore, bestDepth := -1, -1, -1
	for _, c := range chosen {
		score := 0
		for _, o := range chosen { // every mention counts, c's own included
			if g.related(o, c) {
				score++
			}
		}
		depth := len(g.places[c].path)
		if score > bestScore || (score == bestScore && depth > bestDepth) {
			best, bestScore, bestDepth = c, score, depth
		}
	}
	return best
}

// adminSuffixes end the full names of administrative units, which never begin a road name.
var adminSuffixes = []string{"省", "市", "区", "县", "镇", "乡", "街道", "村", "社区", "新区"}

// roadSuffixes end road names; notRoads are ordinary words that end the same way.
var roadSuffixes = []string{"大道", "大街", "路", "街", "巷"}

func isNotRoad(w string) bool {
	switch w {
	case "道路", "马路", "公路", "铁路", "思路", "线路", "出路", "一路", "走路", "网路", "电路", "小路", "大路",
		"上路", "让路", "修路", "过路", "套路", "门路", "半路", "迷路", "活路", "退路", "销路", "来路", "去路",
		"老路", "新路", "沿路", "水路", "陆路", "带路", "引路", "领路", "拦路", "挡路", "开路", "近路", "路",
		"逛街", "上街", "沿街", "临街", "扫街", "满街", "街", "大街", "商业街", "步行街", "美食街", "小巷",
		"街巷", "巷", "大道", "回路", "岔路", "歧路", "山路", "土路", "环路", "心路", "后路", "末路", "弯路":
		return true
	}
	return false
}

// findRoads recognises road names: a word that already is one (中山路), or a place-like word
// or two followed by a road suffix (惠州 + 大道), into sc.roads. sc.texts must hold the texts
// of segs.
func (a *Analyzer) findRoads(text string, sc *scratch, segs []seg) []domain.Place {
	out := sc.roads[:0]
	for i, s := range segs {
		if s.kind != kindWord {
			continue
		}
		switch sc.runes[s.re-1] { // the last runes of roadSuffixes
		case '道', '街', '路', '巷':
		default:
			continue
		}
		w := sc.texts[i]
		suffix := ""
		for _, suf := range roadSuffixes {
			if strings.HasSuffix(w, suf) {
				suffix = suf
				break
			}
		}
		if suffix == "" {
			continue
		}
		start := i
		if w == suffix || isNotRoad(w) {
			if !isNotRoad(w) || w == suffix || w == "大道" || w == "大街" {
				// join one or two preceding name-like words
				for j := i - 1; j >= 0 && j >= i-2; j-- {
					if !a.roadPart(sc, segs[j]) || segs[i].re-segs[j].rs > 8 {
						break
					}
					start = j
				}
			}
			if start == i {
				continue
			}
		} else if utf8.RuneCountInString(w) < 3 || !a.roadWord(s) {
			continue
		}
		b, e := sc.off[segs[start].rs], sc.off[s.re]
		out = append(out, domain.Place{Name: text[b:e], Full: string(sc.runes[segs[start].rs:s.re]), Level: LevelRoad, Start: b, End: e})
	}
	return out
}

// roadWord accepts a dictionary word ending in a road suffix as a road name if it is a proper
// or unknown name, not a common noun or verb.
func (a *Analyzer) roadWord(s seg) bool {
	if s.node == 0 {
		return true
	}
	switch a.dict.posOf(s.node) {
	case "ns", "nz", "nr", "nt", "":
		return true
	}
	return false
}

// roadPart accepts words that can begin a road name: names, nouns, directions, numerals.
func (a *Analyzer) roadPart(sc *scratch, s seg) bool {
	if s.kind == kindNum {
		return true
	}
	if s.kind != kindWord || (s.node != 0 && a.isStop(s, "")) || (s.node == 0 && a.stop[string(sc.runes[s.rs:s.re])]) {
		return false
	}
	if s.node == 0 {
		return s.re-s.rs == 1 && classOf(sc.runes[s.rs]) == classHan
	}
	w := string(sc.runes[s.rs:s.re])
	for _, suf := range adminSuffixes {
		if strings.HasSuffix(w, suf) && s.re-s.rs > 1 {
			return false // 淡水街道 + 开城大道: the road is 开城大道
		}
	}
	p := a.dict.posOf(s.node)
	return strings.HasPrefix(p, "n") || p == "f" || p == "m" || p == "s" || p == "j"
}
