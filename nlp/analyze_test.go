package nlp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"minyi/domain"
)

// testMessage is one hand-written message of testdata/messages.jsonl.
type testMessage struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

func readMessages(tb testing.TB) []testMessage {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", "messages.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []testMessage
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m testMessage
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			tb.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// goldenAnalysis is the part of an Analysis this package computes (the classifier fields
// belong to the classifier tests).
type goldenAnalysis struct {
	Title       string         `json:"title"`
	Places      []domain.Place `json:"places"`
	District    string         `json:"district"`
	Street      string         `json:"street"`
	Matter      string         `json:"matter"`
	Keywords    []string       `json:"keywords"`
	UrgencyCues []string       `json:"urgency_cues"`
	Priority    int            `json:"priority"`
	Words       []string       `json:"words"`
}

// TestAnalyzeGolden compares Analyze on twenty hand-written messages with
// testdata/analyze.golden.json; run with -update to rewrite it after a reviewed change.
func TestAnalyzeGolden(t *testing.T) {
	a := mustAnalyzer(t)
	var got []goldenAnalysis
	for _, m := range readMessages(t) {
		an := a.Analyze(m.Title, m.Body)
		text := m.Title + "\n" + m.Body
		for _, p := range an.Places {
			if text[p.Start:p.End] != p.Name {
				t.Errorf("%s: place %q has offsets [%d,%d) that read %q", m.Title, p.Name, p.Start, p.End, text[p.Start:p.End])
			}
		}
		got = append(got, goldenAnalysis{m.Title, an.Places, an.District, an.Street, an.Matter, an.Keywords, an.UrgencyCues, an.Priority, an.Words})
	}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "analyze.golden.json")
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(bytes.TrimSpace(b), bytes.TrimSpace(want)) {
		var w []goldenAnalysis
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if i >= len(w) {
				t.Errorf("message %d %q: not in golden file", i, got[i].Title)
				continue
			}
			g1, _ := json.Marshal(got[i])
			w1, _ := json.Marshal(w[i])
			if !bytes.Equal(g1, w1) {
				t.Errorf("message %d %q:\n got %s\nwant %s", i, got[i].Title, g1, w1)
			}
		}
	}
}
