package route

import (
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"minyi/demo"
	"minyi/domain"
)

// The one-pass matcher must give exactly the answers of the per-word strings.Contains and
// strings.Count it replaced; the naive versions below are those originals, kept as the oracle.

// matchNaive is Rules.match as it was before the matcher: one strings.Contains per word.
func matchNaive(rs *Rules, dir *Directory, text string, a *domain.Analysis, district, street string) []ruleHit {
	var hits []ruleHit
	for _, r := range rs.Rules {
		terms, ok := firesNaive(&r, text, a, district)
		if !ok {
			continue
		}
		for i, t := range r.Targets {
			var dep Department
			var found bool
			if t.Department != "" {
				dep, found = dir.Lookup(t.Department)
			} else {
				lvl := t.Level
				if lvl == "" {
					lvl = LevelDistrict
				}
				dep, found = dir.Resolve(t.Kind, lvl, district, street)
			}
			if found {
				hits = append(hits, ruleHit{dept: dep, rule: r.Name, priority: r.Priority, rank: i, terms: terms})
			}
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].priority != hits[j].priority {
			return hits[i].priority > hits[j].priority
		}
		return hits[i].rank < hits[j].rank
	})
	return hits
}

func firesNaive(r *Rule, text string, a *domain.Analysis, district string) ([]string, bool) {
	for _, x := range r.Exclude {
		if strings.Contains(text, strings.ToLower(x)) {
			return nil, false
		}
	}
	if len(r.Districts) > 0 && !containsPlace(r.Districts, district) {
		return nil, false
	}
	category, matter := "", ""
	if a != nil {
		category, matter = a.Category, a.Matter
	}
	if len(r.Categories) > 0 && !contains(r.Categories, category) {
		return nil, false
	}
	var terms []string
	if matter != "" && contains(r.Matters, matter) {
		terms = append(terms, matter)
	}
	for _, k := range r.Keywords {
		if strings.Contains(text, strings.ToLower(k)) && !contains(terms, k) {
			terms = append(terms, k)
		}
	}
	if len(terms) > 0 {
		return terms, true
	}
	return nil, len(r.Matters)+len(r.Keywords) == 0 && len(r.Categories) > 0
}

// findNaive is placeTable.find as it was: one strings.Count per name.
func findNaive(t *placeTable, text string) found {
	var f found
	dcount, scount, sdist := map[string]int{}, map[string]int{}, map[string]string{}
	for _, p := range t.entries {
		n := strings.Count(text, p.full)
		if n == 0 && p.short != p.full && len([]rune(p.short)) >= 2 {
			n = strings.Count(text, p.short)
		}
		if n == 0 {
			continue
		}
		f.all = append(f.all, p.full)
		if p.street {
			scount[p.full] += n
			sdist[p.full] = p.district
		} else {
			dcount[p.full] += n
		}
	}
	f.street = argmax(scount)
	f.district = argmax(dcount)
	if f.street != "" && sdist[f.street] != "" {
		if f.district == "" || dcount[sdist[f.street]] > 0 || dcount[f.district] <= scount[f.street] {
			f.district = sdist[f.street]
		}
	}
	return f
}

// corpusTexts are the demo messages and, when the shared data is present, the Shanghai letters,
// lower-cased as the router hands them over.
func corpusTexts(t *testing.T) (texts, depts []string) {
	t.Helper()
	items, err := demo.Items(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("demo items: %v", err)
	}
	for i := range items {
		texts = append(texts, text(&items[i]))
	}
	for _, l := range loadShanghaiOptional(t) {
		texts = append(texts, text(&l.Item))
		depts = append(depts, l.Department)
	}
	return texts, depts
}

// loadShanghaiOptional is loadShanghai without the skip: the comparison still runs on demo data.
func loadShanghaiOptional(t *testing.T) (rows []Labeled) {
	t.Run("shanghai", func(t *testing.T) { rows = loadShanghai(t) })
	return rows
}

// randomRules makes rules whose words are pieces of the corpus (so they hit often, overlap and
// repeat), upper-cased Latin now and then, with exclusions, districts, categories and matters.
func randomRules(r *rand.Rand, texts []string, n int) *Rules {
	piece := func() string {
		rs := []rune(texts[r.IntN(len(texts))])
		if len(rs) == 0 {
			return "x"
		}
		i := r.IntN(len(rs))
		w := string(rs[i:min(len(rs), i+1+r.IntN(4))])
		if r.IntN(10) == 0 {
			w = strings.ToUpper(w)
		}
		if strings.TrimSpace(w) == "" {
			w = "x"
		}
		return w
	}
	kinds := []string{"城管", "公安", "住建", "环保", "交通"}
	var rs Rules
	for i := range n {
		ru := Rule{Name: "r" + string(rune('A'+i%26)) + string(rune('a'+i/26)), Priority: 1 + r.IntN(100),
			Targets: []Target{{Kind: kinds[r.IntN(len(kinds))]}, {Kind: kinds[r.IntN(len(kinds))], Level: LevelCity}}}
		for range r.IntN(6) {
			ru.Keywords = append(ru.Keywords, piece())
		}
		if r.IntN(4) == 0 {
			ru.Exclude = append(ru.Exclude, piece())
		}
		if r.IntN(5) == 0 {
			ru.Matters = []string{"噪音", "渣土车"}
		}
		if r.IntN(5) == 0 || len(ru.Keywords)+len(ru.Matters) == 0 {
			ru.Categories = []string{"城市管理", "环境保护"}
		}
		if r.IntN(6) == 0 {
			ru.Districts = []string{"惠城区"}
		}
		rs.Rules = append(rs.Rules, ru)
	}
	if err := rs.Validate(); err != nil {
		panic(err)
	}
	rs.compiled = compileRules(&rs)
	return &rs
}

func TestMatcherAgreesWithNaiveRulesOnCorpus(t *testing.T) {
	texts, _ := corpusTexts(t)
	dir := DefaultDirectory()
	r := rand.New(rand.NewPCG(7, 11))
	sets := []*Rules{DefaultRules(), randomRules(r, texts, 60), randomRules(r, texts, 200)}
	analyses := []*domain.Analysis{nil, {Matter: "噪音", Category: "城市管理"}, {Matter: "渣土车", Category: "环境保护"}, {Category: "其他"}}
	fired := 0
	for si, rs := range sets {
		for i, tx := range texts {
			a := analyses[i%len(analyses)]
			district := []string{"", "惠城区", "惠阳区"}[i%3]
			got := rs.match(dir, tx, a, district, "")
			want := matchNaive(rs, dir, tx, a, district, "")
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("rule set %d, text %d %q:\n got %+v\nwant %+v", si, i, tx, got, want)
			}
			fired += len(got)
		}
	}
	if fired == 0 {
		t.Fatal("no rule fired on any text: the comparison proves nothing")
	}
	t.Logf("%d texts, %d rule hits compared", len(texts), fired)
}

func TestMatcherAgreesWithNaivePlacesOnCorpus(t *testing.T) {
	texts, depts := corpusTexts(t)
	tables := []*placeTable{newPlaceTable(DefaultDirectory(), nil), newPlaceTable(DefaultDirectory(), depts)}
	placed := 0
	for ti, pt := range tables {
		for i, tx := range texts {
			got, want := pt.find(tx), findNaive(pt, tx)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("table %d, text %d %q:\n got %+v\nwant %+v", ti, i, tx, got, want)
			}
			placed += len(got.all)
		}
	}
	if placed == 0 {
		t.Fatal("no place found in any text: the comparison proves nothing")
	}
	t.Logf("%d texts, %d places compared", len(texts), placed)
}

// checkMatcher compares the matcher's presence and counts with strings.Contains and strings.Count.
func checkMatcher(t *testing.T, pats []string, text string) {
	t.Helper()
	m := newMatcher(pats)
	seen := make([]bool, len(pats))
	m.present(text, seen)
	c := m.counts(text)
	defer m.release(c)
	for id, p := range pats {
		if want := strings.Contains(text, p); seen[id] != want {
			t.Fatalf("patterns %q, text %q: present[%d] (%q) = %v, want %v", pats, text, id, p, seen[id], want)
		}
		want := 0
		if p != "" {
			want = strings.Count(text, p)
		}
		if got := int(c.count[id]); got != want {
			t.Fatalf("patterns %q, text %q: count[%d] (%q) = %d, want %d", pats, text, id, p, got, want)
		}
	}
}

func TestMatcher(t *testing.T) {
	tests := []struct {
		name string
		pats []string
		text string
	}{
		{"none", nil, "abc"},
		{"empty text", []string{"a", "ab"}, ""},
		{"self overlap counts like strings.Count", []string{"aa", "aba", "a"}, "aaaaababa"},
		{"suffix of another", []string{"惠城区", "城区", "区"}, "惠城区城区和惠城区"},
		{"duplicates both reported", []string{"江北", "江北", "北"}, "江北街道江北"},
		{"empty pattern is present, counts 0", []string{"", "x"}, "xx"},
		{"multibyte boundaries are bytes", []string{"\xe5", "惠"}, "惠州"},
		{"invalid utf-8", []string{"\xff\xfe", "a\xff"}, "a\xff\xfe\xff"},
		{"failure chain", []string{"abcd", "bcx", "cd", "c"}, "abcxabcd"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkMatcher(t, tc.pats, tc.text) })
	}
}

func TestMatcherRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	alphabet := []string{"a", "b", "c", "区", "街", "道", "\xe5"}
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 2000 {
		pats := make([]string, r.IntN(12))
		for i := range pats {
			pats[i] = word(r.IntN(5))
		}
		checkMatcher(t, pats, word(r.IntN(40)))
	}
}

// FuzzMatcher checks the matcher against strings.Contains/Count on arbitrary bytes: the patterns
// are pats split at '|'.
func FuzzMatcher(f *testing.F) {
	f.Add("aa|a|aba", "aaaababa")
	f.Add("惠城区|城区|江北街道|江北", "惠州市惠城区江北街道江北")
	f.Add("|\xff|\xe5\x8c", "\xe5\x8c\xba\xff")
	f.Fuzz(func(t *testing.T, pats, text string) {
		checkMatcher(t, strings.Split(pats, "|"), text)
	})
}

// FuzzRulesAndPlaces checks the rule set and the place table against their naive versions on
// arbitrary text, with rule words and place names taken from the fuzzer too.
func FuzzRulesAndPlaces(f *testing.F) {
	f.Add("噪音|施工", "上海市闵行区颛桥镇人民政府", "夜间施工噪音，闵行区颛桥镇")
	f.Add("a|A", "江北街道", "aAa 江北江北")
	dir := DefaultDirectory()
	f.Fuzz(func(t *testing.T, words, unit, text string) {
		rs := &Rules{Rules: []Rule{
			{Name: "甲", Keywords: strings.Split(words, "|"), Targets: []Target{{Kind: "城管"}}, Priority: 5},
			{Name: "乙", Keywords: []string{"噪音"}, Exclude: strings.Split(words, "|")[:1], Targets: []Target{{Kind: "环保"}}, Priority: 7},
		}}
		lower := strings.ToLower(text)
		got := rs.match(dir, lower, nil, "惠城区", "")
		if want := matchNaive(rs, dir, lower, nil, "惠城区", ""); !reflect.DeepEqual(got, want) {
			t.Fatalf("rules %q on %q: got %+v, want %+v", words, text, got, want)
		}
		pt := newPlaceTable(dir, []string{unit})
		if got, want := pt.find(text), findNaive(pt, text); !reflect.DeepEqual(got, want) {
			t.Fatalf("places with %q on %q: got %+v, want %+v", unit, text, got, want)
		}
	})
}

// BenchmarkRulesAndPlaces reads the demo messages for rules and places, as Suggest does, with the
// one-pass matcher and with the per-word originals.
func BenchmarkRulesAndPlaces(b *testing.B) {
	items, err := demo.Items(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		b.Fatal(err)
	}
	texts := make([]string, len(items))
	for i := range items {
		texts[i] = text(&items[i])
	}
	dir, rs := DefaultDirectory(), DefaultRules()
	pt := newPlaceTable(dir, nil)
	a := &domain.Analysis{Matter: "噪音", Category: "城市管理"}
	b.Run("matcher", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			tx := texts[i%len(texts)]
			f := pt.find(tx)
			rs.match(dir, tx, a, f.district, f.street)
		}
	})
	b.Run("naive", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			tx := texts[i%len(texts)]
			f := findNaive(pt, tx)
			matchNaive(rs, dir, tx, a, f.district, f.street)
		}
	})
}
