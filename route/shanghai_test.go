package route

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"minyi/domain"
)

// shanghaiPath is the routing evaluation set (train split only; see /work/shared/data/README.md).
const shanghaiPath = "/work/shared/data/shanghai_petition/train.jsonl"

// loadShanghai reads the letters with only the fields a router may see: id, title, body, time.
func loadShanghai(tb testing.TB) []Labeled {
	tb.Helper()
	f, err := os.Open(filepath.Clean(shanghaiPath))
	if err != nil {
		tb.Skipf("shanghai petition data not available: %v", err)
	}
	tb.Cleanup(func() { f.Close() })
	var out []Labeled
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var row struct {
			ID, Title, Body, Time, Department, Reply string
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			tb.Fatalf("parse %s: %v", shanghaiPath, err)
		}
		t, _ := time.Parse("2006-01-02", row.Time)
		out = append(out, Labeled{
			Item:       domain.Item{Source: "shanghai_petition", SourceID: row.ID, Channel: domain.ChannelMailbox, Title: row.Title, Body: row.Body, Time: t},
			Department: row.Department,
			Reply:      row.Reply,
		})
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read %s: %v", shanghaiPath, err)
	}
	return out
}

// shanghaiAnalyze fills the analyses of letters with the real nlp Analyzer; the external test
// package sets it (see nlp_test.go), since route must not import nlp.
var shanghaiAnalyze func(tb testing.TB, rows []Labeled)

// loadShanghaiAnalyzed is loadShanghai with each letter analysed by nlp, as `minyi eval route` does.
func loadShanghaiAnalyzed(tb testing.TB) []Labeled {
	tb.Helper()
	rows := loadShanghai(tb)
	if shanghaiAnalyze == nil {
		tb.Skip("no nlp analyser hooked in")
	}
	shanghaiAnalyze(tb, rows)
	return rows
}

// folds splits rows into k deterministic folds by position (the file order is already by letter id),
// keeping identical letters (same title and body: 54 campaign-style groups of 304 letters in the
// train split) in the fold of their group's first letter. The held-out test split keeps each
// group wholly on one side too, so a test letter never has its twin in training; folds that split
// the groups let the similar-case vote find the twin and overstate top-3 by about 2 points.
func folds(rows []Labeled, k int) [][2][]Labeled {
	first := map[string]int{}
	fold := make([]int, len(rows))
	for i, r := range rows {
		j, ok := first[r.Item.Title+"\n"+r.Item.Body]
		if !ok {
			j = i
			first[r.Item.Title+"\n"+r.Item.Body] = i
		}
		fold[i] = j % k
	}
	out := make([][2][]Labeled, k)
	for f := range k {
		for i, r := range rows {
			if fold[i] == f {
				out[f][1] = append(out[f][1], r)
			} else {
				out[f][0] = append(out[f][0], r)
			}
		}
	}
	return out
}
