package nlp

// phraseRef says what a matched phrase means: an urgency cue or a matter-rule phrase.
type phraseRef struct {
	urgent bool
	idx    int // into urgencyCues, or into matterPhrases
}

// phraseSet finds all urgency cues and matter phrases in one pass over a text's runes, with
// a small trie of the phrases (substring search per phrase was most of Analyze's time).
type phraseSet struct {
	trie    *dictionary
	refs    [][]phraseRef  // per trie node: the phrases ending there
	phrases []matterPhrase // every (rule, phrase) pair of matterRules
}

// matterPhrase is one phrase of one matter rule.
type matterPhrase struct{ rule int }

func newPhraseSet() *phraseSet {
	var entries []dictEntry
	add := func(p string) { entries = append(entries, dictEntry{word: Normalize(p), freq: 1}) }
	for _, c := range urgencyCues {
		add(c.phrase)
	}
	for _, r := range matterRules {
		for _, p := range r.phrases {
			add(p)
		}
	}
	ps := &phraseSet{trie: buildDictionary(entries)}
	ps.refs = make([][]phraseRef, len(ps.trie.label))
	for i, c := range urgencyCues {
		n, _ := ps.trie.lookup(Normalize(c.phrase))
		ps.refs[n] = append(ps.refs[n], phraseRef{urgent: true, idx: i})
	}
	for ri, r := range matterRules {
		for _, p := range r.phrases {
			n, _ := ps.trie.lookup(Normalize(p))
			ps.refs[n] = append(ps.refs[n], phraseRef{idx: len(ps.phrases)})
			ps.phrases = append(ps.phrases, matterPhrase{rule: ri})
		}
	}
	return ps
}

// scan reads the normalised runes of sc (the first titleRunes of them the title) and returns the
// urgency cues in order of appearance, the priority 0…3 (the cue weights summed, capped), and
// the matter whose phrases occur most (each distinct phrase once, three times if in the title;
// earlier rules win ties), "" if none. A cue inside a longer cue (曝光 in 媒体曝光) is not counted.
func (ps *phraseSet) scan(sc *scratch, titleRunes int) ([]string, int, string) {
	rs := sc.runes
	var cues []string
	cueSeen := grow(sc.cueSeen, len(urgencyCues))
	seen := grow(sc.seen, len(ps.phrases)) // 1 = in text, 3 = in the title
	sc.cueSeen, sc.seen = cueSeen, seen
	sum, skip := 0, 0
	for i := range rs {
		if !ps.trie.mayStart(rs[i]) {
			continue // most runes start no phrase
		}
		node, longest, longestEnd := uint32(0), -1, 0
		for j := i; j < len(rs); j++ {
			if node = ps.trie.child(node, rs[j]); node == 0 {
				break
			}
			for _, r := range ps.refs[node] {
				if r.urgent {
					longest, longestEnd = r.idx, j+1
					continue
				}
				v := uint8(1)
				if j < titleRunes {
					v = 3
				}
				seen[r.idx] = max(seen[r.idx], v)
			}
		}
		if longest >= 0 && i >= skip {
			skip = longestEnd
			if !cueSeen[longest] {
				cueSeen[longest] = true
				cues = append(cues, urgencyCues[longest].phrase)
				sum += urgencyCues[longest].weight
			}
		}
	}
	scores := grow(sc.scores, len(matterRules))
	sc.scores = scores
	for i, v := range seen {
		scores[ps.phrases[i].rule] += int(v)
	}
	best, bestScore := "", 0
	for i, s := range scores {
		if s > bestScore {
			best, bestScore = matterRules[i].matter, s
		}
	}
	return cues, min(sum, 3), best
}

// grow returns buf resized to n zero elements, reallocated only when too small.
func grow[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	buf = buf[:n]
	clear(buf)
	return buf
}
