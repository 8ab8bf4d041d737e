package nlp

import (
	"context"
	"minyi/internal/shareddata"
	"os"
	"path/filepath"
	"testing"
)

// sharedData is the evaluation data directory; tests that need it skip without it.
var sharedData = shareddata.Dir()

func TestEvalSegment(t *testing.T) {
	a := mustAnalyzer(t)
	for _, set := range []string{"sighan2005_pku", "sighan2005_msr"} {
		t.Run(set, func(t *testing.T) {
			path := filepath.Join(sharedData, set, "train.jsonl")
			if _, err := os.Stat(path); err != nil {
				t.Skipf("no evaluation data: %v", err)
			}
			s, err := EvalSegment(context.Background(), a, path)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: P=%.4f R=%.4f F1=%.4f lines=%d", set, s.Precision, s.Recall, s.F1, s.Lines)
			if s.Lines == 0 || s.F1 < 0.80 {
				t.Errorf("%s: F1 %.4f over %d lines, want ≥ 0.80", set, s.F1, s.Lines)
			}
		})
	}
}
