package route

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"minyi/domain"
)

// TestReadTextAgreesWithSeparateReads checks that reading a text once with the router's combined
// matcher gives the places and rule hits of reading it twice (placesIn, then Rules.match), with
// the 惠州 rules and random ones, the directory alone and with the Shanghai names, and analyses
// that name a district or street or none.
func TestReadTextAgreesWithSeparateReads(t *testing.T) {
	texts, depts := corpusTexts(t)
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
			for i, tx := range texts {
				a := analyses[i%len(analyses)]
				gotPl, gotHits := r.readText(tx, a)
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
	t.Logf("%d texts, %d rule hits and %d places compared", len(texts), hits, places)
}
