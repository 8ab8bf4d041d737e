package nlp

import "testing"

// TestCutRemembersWordNodes checks the node cutBlock keeps from its first pass against a fresh
// walk of the trie for every token of real and hand-written messages: the dictionary node of a
// word, 0 for anything else.
func TestCutRemembersWordNodes(t *testing.T) {
	a := mustAnalyzer(t)
	sc := new(scratch)
	texts := []string{"", "a", "2020年12月", "wifi密码ABC123", "中华人民共和国国务院办公厅关于进一步加强城市管理的通知"}
	for _, m := range append(readMessages(t), benchMessages(t)...) {
		texts = append(texts, m.Title+"\n"+m.Body)
	}
	n := 0
	for _, text := range texts {
		for _, s := range a.dict.cut(text, sc) {
			want := a.dict.nodeOf(sc.runes[s.rs:s.re])
			if want != 0 && a.dict.logp[want] == 0 {
				want = 0
			}
			if s.kind == kindPunct || s.kind == kindSpace {
				want = 0
			}
			if s.node != want {
				t.Errorf("%q: token %q has node %d, want %d", text, string(sc.runes[s.rs:s.re]), s.node, want)
			}
			n++
		}
	}
	if n < 1000 {
		t.Errorf("only %d tokens checked", n)
	}
}
