package route

import (
	"sort"
	"strings"
	"unicode/utf8"

	"minyi/domain"
)

// unitName is a department name split into its administrative parts, e.g.
// 上海市闵行区颛桥镇人民政府 → {city 上海市, district 闵行区, street 颛桥镇, unit 人民政府}.
type unitName struct {
	city, district, street, unit string
}

// streetSuffixes end the name of a street-level area inside a district.
var streetSuffixes = []string{"街道办事处", "街道", "新镇", "镇", "乡", "新区", "管委会"}

// parseUnitName splits an official department name into city, district and street, so a router
// trained on dispatch history knows where each department sits without a hand-made directory.
// Parts it cannot find are left empty.
func parseUnitName(name string) unitName {
	var u unitName
	rest := name
	if i := strings.Index(rest, "市"); i > 0 && i <= len("黑龙江省哈尔滨") {
		u.city, rest = rest[:i+len("市")], rest[i+len("市"):]
	}
	// District: the shortest prefix ending in 新区, 区 or 县, between 2 and 5 runes long, not a
	// unit word (市容, 区域 …).
	for _, suf := range []string{"新区", "区", "县"} {
		if i := strings.Index(rest, suf); i > 0 {
			n := len([]rune(rest[:i]))
			if n >= 1 && n <= 4 && !strings.ContainsAny(rest[:i], "局委会办所院厅") {
				u.district, rest = rest[:i+len(suf)], rest[i+len(suf):]
				break
			}
		}
	}
	if u.district == "" {
		u.unit = rest
		return u
	}
	rest = strings.TrimPrefix(rest, "人民政府")
	for _, suf := range streetSuffixes {
		if i := strings.Index(rest, suf); i > 0 {
			n := len([]rune(rest[:i]))
			// A town's own government (XX镇 or XX镇人民政府) is one even when its name has a
			// unit word in it (书院镇); one-rune towns (唐镇, 庙镇) count only then.
			town := suf == "镇" && (rest[i+len(suf):] == "" || rest[i+len(suf):] == "人民政府")
			if (n >= 2 || town) && n <= 4 && (town || !strings.ContainsAny(rest[:i], "局委会办所院厅室")) {
				st := rest[:i+len(suf)]
				if suf == "街道办事处" {
					st = rest[:i] + "街道"
				}
				u.street, rest = st, rest[i+len(suf):]
				break
			}
		}
	}
	u.unit = rest
	return u
}

// placeTable finds districts and streets in text. It is built from the directory and from the
// department names seen in dispatch history.
type placeTable struct {
	entries []dirPlace
	names   *matcher // entry i's full name is pattern 2i, its short name (when searched) 2i+1
	pats    []string // names's patterns
}

func newPlaceTable(dir *Directory, names []string) *placeTable {
	var ps []dirPlace
	if dir != nil {
		ps = dir.places()
	}
	seen := map[string]bool{}
	for _, p := range ps {
		seen[p.full] = true
	}
	add := func(full, district string, street bool) {
		if full == "" || seen[full] {
			return
		}
		seen[full] = true
		ps = append(ps, dirPlace{full: full, short: shortPlace(full), district: district, street: street})
	}
	for _, n := range names {
		u := parseUnitName(n)
		add(u.district, u.district, false)
		add(u.street, u.district, true)
	}
	sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].full) > len(ps[j].full) })
	pats := placePatterns(ps)
	return &placeTable{entries: ps, names: newMatcher(pats), pats: pats}
}

// placePatterns are the names find counts: each entry's full name and, when it differs and has
// at least two runes, its short name ("" stands for a name never searched).
func placePatterns(ps []dirPlace) []string {
	pats := make([]string, 0, 2*len(ps))
	for _, p := range ps {
		short := ""
		if p.short != p.full && utf8.RuneCountInString(p.short) >= 2 {
			short = p.short
		}
		pats = append(pats, p.full, short)
	}
	return pats
}

// found is the place reading of one text.
type found struct {
	district string   // the district the text is most about
	street   string   // the street the text is most about
	all      []string // every place found, full names, in table order
	hints    []string // districts and streets the communities and roads found lie in (see addHints)
}

// find looks for full and short place names in text; short names of one rune are never used.
// The street wins over the district when they disagree, since a street names its district.
func (t *placeTable) find(text string) found {
	if t == nil {
		return found{}
	}
	counts := t.names.counts(text)
	defer t.names.release(counts)
	return t.tally(counts.count, t.names.lens)
}

// tally is find's reading of the names' counts: count and lens are indexed like t.names's
// patterns (entry i's full name 2i, its short name 2i+1).
func (t *placeTable) tally(count []int32, lens []int) found {
	var f found
	sn, dn := 0, 0 // occurrences of the street and the district chosen so far
	sdist := ""    // the chosen street's district
	for i := range t.entries {
		p := &t.entries[i]
		n := int(count[2*i])
		if n == 0 && lens[2*i+1] > 0 {
			n = int(count[2*i+1])
		}
		if n == 0 {
			continue
		}
		f.all = append(f.all, p.full)
		// Names are unique in the table, so this is argmax over them: the most frequent, the
		// smallest name on ties.
		if p.street {
			if n > sn || n == sn && p.full < f.street {
				f.street, sn, sdist = p.full, n, p.district
			}
		} else if n > dn || n == dn && p.full < f.district {
			f.district, dn = p.full, n
		}
	}
	if f.street != "" && sdist != "" {
		if f.district == "" || t.districtCount(count, lens, sdist) > 0 || dn <= sn {
			f.district = sdist
		}
	}
	return f
}

// districtCount is how often tally counted the district entry named full.
func (t *placeTable) districtCount(count []int32, lens []int, full string) int {
	for i := range t.entries {
		if p := &t.entries[i]; !p.street && p.full == full {
			n := int(count[2*i])
			if n == 0 && lens[2*i+1] > 0 {
				n = int(count[2*i+1])
			}
			return n
		}
	}
	return 0
}

// addHints reads the places of an analysis that point at a street without naming it: a
// community (居委会/村委会) found in the text, and a road that names a community, whose path then
// runs through the community's street (云南中路 → 黄浦区/南京东路街道). Only when the text itself
// names no street: a street named wins over a hint.
func (f *found) addHints(a *domain.Analysis) {
	if a == nil || f.street != "" {
		return
	}
	seen := map[string]bool{}
	for _, p := range a.Places {
		if (p.Level != domain.PlaceRoad && p.Level != domain.PlaceCommunity) || len(p.Path) < 3 {
			continue
		}
		// Skip the place itself and the city (and province) above its district.
		for _, e := range p.Path[1 : len(p.Path)-1] {
			if strings.HasSuffix(e, "市") || strings.HasSuffix(e, "省") || seen[e] {
				continue
			}
			seen[e] = true
			f.hints = append(f.hints, e)
		}
	}
}

// hinted reports whether a unit sitting in u lies in a street or district the hints point at.
func (f *found) hinted(u unitName) (street, district bool) {
	for _, h := range f.hints {
		s := shortPlace(h)
		if u.street != "" && shortPlace(u.street) == s {
			street = true
		}
		if u.district != "" && shortPlace(u.district) == s {
			district = true
		}
	}
	return street, district
}
