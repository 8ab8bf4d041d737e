package nlp

import (
	"context"
	"flag"
	"os"
	"sync"
	"testing"
)

// update rewrites golden files under testdata/ instead of comparing with them.
var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// shared is the one Analyzer the tests of this package use: loading is the expensive part.
var shared struct {
	once sync.Once
	a    *Analyzer
	err  error
	dir  string
}

// mustAnalyzer returns the shared Analyzer, built once per test binary with its cache in a
// temporary directory that TestMain removes.
func mustAnalyzer(tb testing.TB) *Analyzer {
	tb.Helper()
	shared.once.Do(func() {
		// The classifiers are another engineer's models; without them the tests here still
		// exercise everything this part of the package does.
		shared.a, shared.err = loadAnalyzer(context.Background(), shared.dir)
		if shared.err == nil {
			if cl, err := DefaultClassifiers(); err == nil {
				shared.a.SetClassifiers(cl)
			}
		}
	})
	if shared.err != nil {
		tb.Fatalf("Load: %v", shared.err)
	}
	return shared.a
}

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "nlp-test-cache-")
	if err != nil {
		panic(err)
	}
	shared.dir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
