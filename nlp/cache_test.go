package nlp

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCacheRoundTrip checks that a dictionary read back from its cache segments the same, and
// that a stale or damaged cache is refused (and so rebuilt by Load).
func TestCacheRoundTrip(t *testing.T) {
	a := mustAnalyzer(t)
	hash := sourceHash(a.Gazetteer().Names())
	enc := a.dict.encode(hash)
	d, err := decodeDictionary(enc, hash)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	b := newAnalyzer(d)
	b.gaz.Store(a.Gazetteer())
	text := "惠城区江北街道渣土车撒漏，２０２３年５月多次反映无人处理。"
	if x, y := strings.Join(a.Words(text), "/"), strings.Join(b.Words(text), "/"); x != y {
		t.Errorf("words differ after the cache: %s vs %s", x, y)
	}
	if !bytes.Equal(d.encode(hash), enc) {
		t.Error("re-encoding the decoded dictionary changes it")
	}

	tests := []struct {
		name string
		data func() []byte
		want error
	}{
		{"other sources", func() []byte { return enc }, ErrCacheStale},
		{"flipped byte", func() []byte { c := bytes.Clone(enc); c[len(c)/2] ^= 1; return c }, ErrCacheCorrupt},
		{"truncated", func() []byte { return enc[:len(enc)/3] }, ErrCacheCorrupt},
		{"empty", func() []byte { return nil }, ErrCacheCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := hash
			if tc.want == ErrCacheStale {
				h[0] ^= 1
			}
			if _, err := decodeDictionary(tc.data(), h); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestLoadRebuildsCorruptCache damages the cache file and checks Load still works and repairs it.
func TestLoadRebuildsCorruptCache(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuilds the dictionary from gse (a few seconds)")
	}
	mustAnalyzer(t)
	dir := t.TempDir()
	src, err := os.ReadFile(cachePath(shared.dir))
	if err != nil {
		t.Fatal(err)
	}
	src[100] ^= 0xFF
	if err := os.WriteFile(cachePath(dir), src, 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := loadAnalyzer(context.Background(), dir)
	if err != nil {
		t.Fatalf("load over a corrupt cache: %v", err)
	}
	if len(a.Words("垃圾分类")) != 1 {
		t.Errorf("rebuilt analyzer segments 垃圾分类 as %v", a.Words("垃圾分类"))
	}
	if _, err := readCache(dir, sourceHash(a.Gazetteer().Names())); err != nil {
		t.Errorf("cache not repaired: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".nlp-dict-*")); len(m) != 0 {
		t.Errorf("temporary files left behind: %v", m)
	}
}
