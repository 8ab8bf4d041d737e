package app

import (
	"bufio"
	"context"
	"minyi/internal/shareddata"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minyi/demo"
	"minyi/domain"
	"minyi/feed"
)

// readPairs reads a labelled pair file of testdata: "id<TAB>id<TAB>jaccard" lines, # comments.
func readPairs(tb testing.TB, name string) [][2]string {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			p := strings.Split(l, "\t")
			out = append(out, [2]string{p[0], p[1]})
		}
	}
	return out
}

// pairScore ingests items, runs the near-duplicate pass and scores "same case" over all pairs of
// source ids against the labelled pairs (closed transitively, as cases are). Exact copies that the
// content hash folds into one record count as found.
func pairScore(tb testing.TB, items []domain.Item, labelled [][2]string) (precision, recall float64, tp, fp, fn int) {
	tb.Helper()
	ctx := context.Background()
	c := mustCore(tb)
	out, err := c.Ingest(ctx, items)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := c.GroupDuplicates(ctx); err != nil {
		tb.Fatal(err)
	}
	caseOfSrc := map[string]string{}
	for i, o := range out {
		r, err := c.Store.Get(ctx, o.ID)
		if err != nil {
			tb.Fatal(err)
		}
		caseOfSrc[items[i].SourceID] = caseOf(r)
	}
	// Label clusters: union-find over the labelled pairs.
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		if p, ok := parent[x]; ok && p != x {
			parent[x] = find(p)
			return parent[x]
		}
		parent[x] = x
		return x
	}
	for _, p := range labelled {
		parent[find(p[0])] = find(p[1])
	}
	ids := make([]string, 0, len(caseOfSrc))
	for id := range caseOfSrc {
		ids = append(ids, id)
	}
	byCase, byLabel := map[string][]string{}, map[string][]string{}
	for _, id := range ids {
		byCase[caseOfSrc[id]] = append(byCase[caseOfSrc[id]], id)
		byLabel[find(id)] = append(byLabel[find(id)], id)
	}
	pred := map[[2]string]bool{}
	for _, g := range byCase {
		for i := range g {
			for j := range g {
				if g[i] < g[j] {
					pred[[2]string{g[i], g[j]}] = true
				}
			}
		}
	}
	gold := map[[2]string]bool{}
	for _, g := range byLabel {
		for i := range g {
			for j := range g {
				if g[i] < g[j] {
					gold[[2]string{g[i], g[j]}] = true
				}
			}
		}
	}
	for p := range pred {
		if gold[p] {
			tp++
		} else {
			fp++
		}
	}
	fn = len(gold) - tp
	if tp+fp > 0 {
		precision = float64(tp) / float64(tp+fp)
	}
	if len(gold) > 0 {
		recall = float64(tp) / float64(len(gold))
	}
	return precision, recall, tp, fp, fn
}

// TestDuplicatePrecisionRecall measures the near-duplicate grouping on two labelled sets (see the
// headers of testdata/dup_*.tsv): the re-posts written into the demo data, and near-identical
// re-posts in teddy2020c_hot's training split. Floors are below the measured figures so a
// regression fails; the figures are logged.
func TestDuplicatePrecisionRecall(t *testing.T) {
	t.Run("demo", func(t *testing.T) {
		items, err := demo.Items(fixedNow)
		if err != nil {
			t.Fatal(err)
		}
		p, r, tp, fp, fn := pairScore(t, items, readPairs(t, "dup_demo.tsv"))
		t.Logf("demo: precision %.3f recall %.3f (tp %d fp %d fn %d)", p, r, tp, fp, fn)
		if p < 0.9 || r < 0.7 {
			t.Errorf("demo precision %.3f recall %.3f below 0.9/0.7", p, r)
		}
	})
	t.Run("teddy2020c_hot", func(t *testing.T) {
		path := shareddata.Path("teddy2020c_hot", "train.jsonl")
		if _, err := os.Stat(path); err != nil {
			t.Skip("evaluation data absent")
		}
		if testing.Short() {
			t.Skip("3,492 messages through the pipeline")
		}
		var items []domain.Item
		if _, err := feed.ReadFile(context.Background(), path, feed.ReadOptions{Source: "hot", Channel: domain.ChannelBoard}, func(_ int, it domain.Item) error {
			items = append(items, it)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		p, r, tp, fp, fn := pairScore(t, items, readPairs(t, "dup_teddy_hot.tsv"))
		t.Logf("teddy2020c_hot: precision %.3f recall %.3f (tp %d fp %d fn %d)", p, r, tp, fp, fn)
		if p < 0.85 || r < 0.5 {
			t.Errorf("teddy precision %.3f recall %.3f below 0.85/0.5", p, r)
		}
	})
}
