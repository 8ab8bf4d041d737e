package route_test

import (
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"minyi/domain"
	"minyi/nlp"
	"minyi/route"
)

// analysesVersion changes when what the cache holds changes (v2: the gazetteer's 社区 level), so a
// stale cache is not read; v3 holds the replies' analyses after the letters'.
const analysesVersion = "route-analyses-v3"

// TestMain hands the internal cross-validation a way to analyse letters with the real nlp
// Analyzer, loaded only when a test asks for it.
func TestMain(m *testing.M) {
	var once sync.Once
	var an *nlp.Analyzer
	var loadErr error
	route.SetShanghaiAnalyzer(func(tb testing.TB, rows []route.Labeled) {
		tb.Helper()
		h := sha256.New()
		h.Write([]byte(analysesVersion))
		for _, r := range rows {
			h.Write([]byte(r.Item.Title + "\x00" + r.Item.Body + "\x00" + r.Reply + "\x00"))
		}
		cache := filepath.Join(os.TempDir(), "minyi-route-"+hex.EncodeToString(h.Sum(nil))[:16]+".gob")
		if f, err := os.Open(cache); err == nil {
			var as []domain.Analysis
			err := gob.NewDecoder(f).Decode(&as)
			f.Close()
			if err == nil && len(as) == 2*len(rows) {
				for i := range rows {
					rows[i].Analysis, rows[i].ReplyAnalysis = as[i], as[len(rows)+i]
				}
				return
			}
		}
		once.Do(func() { an, loadErr = nlp.Load(context.Background(), filepath.Join(os.TempDir(), "minyi-nlp-cache")) })
		if loadErr != nil {
			tb.Fatalf("load nlp: %v", loadErr)
		}
		as := make([]domain.Analysis, 2*len(rows))
		for i := range rows {
			as[i] = an.Analyze(rows[i].Item.Title, rows[i].Item.Body)
			rows[i].Analysis = as[i]
			if rows[i].Reply != "" {
				as[len(rows)+i] = an.Analyze("", rows[i].Reply)
				rows[i].ReplyAnalysis = as[len(rows)+i]
			}
		}
		f, err := os.Create(cache)
		if err != nil {
			tb.Logf("cannot cache analyses: %v", err)
			return
		}
		defer f.Close()
		if err := gob.NewEncoder(f).Encode(as); err != nil {
			tb.Logf("cannot cache analyses: %v", err)
		}
	})
	os.Exit(m.Run())
}
