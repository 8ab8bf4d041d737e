package nlp

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var (
	placeFP    = flag.Bool("placefp", false, "count gazetteer hits per 1,000 messages of teddy2020c (false) and shanghai_petition")
	placeFPGaz = flag.String("placefp-gaz", "", "gazetteer file to count with instead of the built-in one (-placefp)")
)

// TestPlaceHitRates counts the places found per 1,000 messages, by level. The teddy2020c
// messages come from a city whose places are anonymised (A市, A3区), so any 上海/惠州 place found
// there is almost surely false; the Shanghai letters show what the same gazetteer finds where it
// should. Opt-in (it analyses some 11,000 messages):
//
//	go test ./nlp -run TestPlaceHitRates -placefp -v [-placefp-gaz old.tsv]
func TestPlaceHitRates(t *testing.T) {
	if !*placeFP {
		t.Skip("run with -placefp")
	}
	a, err := loadAnalyzer(context.Background(), filepath.Join(os.TempDir(), "minyi-nlp-cache"))
	if err != nil {
		t.Fatal(err)
	}
	if *placeFPGaz != "" {
		f, err := os.Open(*placeFPGaz)
		if err != nil {
			t.Fatal(err)
		}
		g, err := LoadGazetteer(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		a.SetGazetteer(g)
	}
	for _, set := range []struct {
		name  string
		files []string
	}{
		{"teddy2020c", []string{"teddy2020c_classify", "teddy2020c_hot", "teddy2020c_unlabeled"}},
		{"shanghai_petition", []string{"shanghai_petition"}},
	} {
		n, withStreet, roadHints := 0, 0, 0
		byLevel := map[string]int{}
		names := map[string]int{}
		for _, dir := range set.files {
			path := filepath.Join("..", "..", "shared", "data", dir, "train.jsonl")
			f, err := os.Open(path)
			if err != nil {
				t.Skipf("data not available: %v", err)
			}
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 1<<20), 1<<24)
			for sc.Scan() {
				var row struct{ Title, Body string }
				if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
					t.Fatalf("parse %s: %v", path, err)
				}
				n++
				an := a.Analyze(row.Title, row.Body)
				if an.Street != "" {
					withStreet++
				}
				for _, p := range an.Places {
					if p.Level == LevelRoad {
						if an.Street == "" && len(p.Path) > 2 && p.Path[len(p.Path)-2] != an.District {
							roadHints++ // a road that names a community: a routing hint
						}
						continue
					}
					byLevel[p.Level]++
					if p.Level == LevelCommunity {
						names[p.Name+"→"+p.Full]++
					}
				}
			}
			f.Close()
		}
		var levels []string
		for _, l := range []string{LevelProvince, LevelCity, LevelDistrict, LevelStreet, LevelCommunity} {
			levels = append(levels, fmt.Sprintf("%s %.1f", l, 1000*float64(byLevel[l])/float64(max(n, 1))))
		}
		t.Logf("%s: %d messages; hits per 1,000: %s; road hints %.1f; with a street %.1f%%", set.name, n, strings.Join(levels, ", "),
			1000*float64(roadHints)/float64(max(n, 1)), 100*float64(withStreet)/float64(max(n, 1)))
		type kv struct {
			k string
			v int
		}
		var top []kv
		for k, v := range names {
			top = append(top, kv{k, v})
		}
		sort.Slice(top, func(i, j int) bool { return top[i].v > top[j].v || (top[i].v == top[j].v && top[i].k < top[j].k) })
		var sb strings.Builder
		for _, x := range top[:min(len(top), 40)] {
			fmt.Fprintf(&sb, " %s×%d", x.k, x.v)
		}
		t.Logf("%s: most found communities:%s", set.name, sb.String())
	}
}
