package route

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"minyi/demo"
	"minyi/domain"
)

// TestReadTextAgreesWithSeparateReads checks that reading a message's title and body in place with
// the router's combined matcher gives the places and rule hits of reading it twice (placesIn, then Rules.match), with
// the 惠州 rules and random ones, the directory alone and with the Shanghai names, and analyses
// that name a district or street or none.
func TestReadTextAgreesWithSeparateReads(t *testing.T) {
	texts, depts := corpusTexts(t)
	items, err := demo.Items(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("demo items: %v", err)
	}
	for _, l := range loadShanghaiOptional(t) {
		items = append(items, l.Item)
	}
	// Upper case, full-width letters and invalid UTF-8 at the joint of title and body.
	items = append(items, domain.Item{Title: "ＡＢ渣土车ABC\xe8\xaf", Body: "\xb7问噪音İ"}, domain.Item{Title: "江北", Body: "街道"}, domain.Item{})
	rnd := rand.New(rand.NewPCG(13, 17))
	analyses := []*domain.Analysis{nil, {Matter: "噪音", Category: "城市管理"}, {District: "惠阳区", Category: "环境保护"},
		{Street: "江北街道", Matter: "渣土车"}, {Category: "其他"}}
	hits, places := 0, 0
	for si, rs := range []*Rules{DefaultRules(), randomRules(rnd, texts, 120)} {
		for ni, names := range [][]string{nil, depts} {
			r := New(DefaultDirectory(), rs)
			r.setNames(names)
			if r.both == nil {
				t.Fatalf("rules %d, names %d: no combined matcher", si, ni)
			}
			for i := range items {
				it := &items[i]
				tx := text(it)
				a := analyses[i%len(analyses)]
				gotPl, gotHits := r.readText(it, a)
				wantPl := r.placesIn(tx, a)
				wantHits := rs.match(r.dir, tx, a, wantPl.district, wantPl.street)
				if !reflect.DeepEqual(gotPl, wantPl) || !reflect.DeepEqual(gotHits, wantHits) {
					t.Fatalf("rules %d, names %d, text %d %q:\n got %+v %+v\nwant %+v %+v", si, ni, i, tx, gotPl, gotHits, wantPl, wantHits)
				}
				hits += len(gotHits)
				places += len(gotPl.all)
			}
		}
	}
	if hits == 0 || places == 0 {
		t.Fatalf("%d rule hits, %d places: the comparison proves nothing", hits, places)
	}
	t.Logf("%d messages, %d rule hits and %d places compared", len(items), hits, places)
}
