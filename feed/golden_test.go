package feed

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden files from the current output")

// TestPullGolden pins the full Items every feed in testdata/feeds turns into (text, times, ids,
// Raw, Extra), so any change in conversion shows up as a diff. Run with -update to accept one.
func TestPullGolden(t *testing.T) {
	gs := newGovServer(t)
	f, _ := testFetcher(t, FetcherOptions{})
	files, err := filepath.Glob("testdata/feeds/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			b, err := f.Pull(t.Context(), Source{Name: "golden", Kind: KindRSS, URL: gs.URL + "/feeds/" + name}, State{}, nil)
			var got []byte
			if err != nil {
				got = []byte("error: " + err.Error() + "\n")
			} else {
				b.State.ETag = "" // depends on the file's hash only, but says nothing about conversion
				got, err = json.MarshalIndent(b, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				got = append(bytes.ReplaceAll(got, []byte(gs.URL), []byte("http://SERVER")), '\n')
			}
			golden := filepath.Join("testdata/golden", strings.TrimSuffix(name, filepath.Ext(name))+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestPullGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run with -update to accept):\n%s", golden, got)
			}
		})
	}
}
