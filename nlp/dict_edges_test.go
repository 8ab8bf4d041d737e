package nlp

import (
	"math/rand/v2"
	"testing"
)

// TestEdgeIndexMatchesSearch checks that child answers through the edge table
// exactly as the binary search over the labels does: every edge of the trie,
// and many (node, rune) pairs that are mostly no edge.
func TestEdgeIndexMatchesSearch(t *testing.T) {
	d := mustAnalyzer(t).dict
	if d.edges == nil {
		t.Fatal("no edge table for the built-in dictionary")
	}
	plain := *d
	plain.edges = nil
	n := len(d.label)
	for p := 1; p < n; p++ {
		for c := d.first[p]; c < d.first[p+1]; c++ {
			if got := d.child(uint32(p), d.label[c]); got != c {
				t.Fatalf("child(%d, %q) = %d, want %d", p, d.label[c], got, c)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		p := uint32(rng.IntN(n))
		var r rune
		switch rng.IntN(3) {
		case 0: // a label of a sibling subtree: often a near miss
			r = d.label[rng.IntN(n)]
		case 1:
			r = rune(0x4E00 + rng.IntN(0x5200))
		default:
			r = rune(rng.IntN(0x110000))
		}
		if got, want := d.child(p, r), plain.child(p, r); got != want {
			t.Fatalf("child(%d, %q) = %d, want %d", p, r, got, want)
		}
	}
}
