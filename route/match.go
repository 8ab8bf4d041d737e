package route

import "sync"

// matcher finds many fixed strings in a text in one pass: an Aho-Corasick automaton over bytes,
// compiled to a full transition table over the byte classes the patterns use. Matching is on
// bytes, exactly like strings.Contains and strings.Count, so callers get the same answers as
// they would from one strings.Index per pattern, at the cost of a single walk over the text.
type matcher struct {
	class  [256]uint16 // byte → class; 0 is every byte no pattern contains
	nclass int
	// step is the transition table: state*nclass + class → next*nclass<<1, plus 1 when next
	// reports a pattern, so that scan neither multiplies nor looks at out for most bytes.
	step  []int32
	out   []int32           // pattern ending exactly at a state, or -1
	link  []int32           // the nearest proper suffix state with an out pattern, or -1
	lens  []int             // byte length of each pattern
	n     int               // number of patterns
	empty []int             // the empty patterns
	dups  map[int32][]int32 // a pattern → later patterns with the same text
	pool  sync.Pool         // *counter scratch for counts
}

// newMatcher compiles patterns; a pattern's index is its id in scan's callback. Duplicates are
// allowed (every copy is reported). Empty patterns are never reported: callers treat "" apart.
func newMatcher(patterns []string) *matcher {
	m := &matcher{n: len(patterns), lens: make([]int, len(patterns))}
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			if m.class[p[i]] == 0 {
				m.nclass++
				m.class[p[i]] = uint16(m.nclass)
			}
		}
	}
	m.nclass++ // class 0
	// The trie, as transitions in the (still sparse) table; 0 means "none yet" except at the root.
	delta := make([]int32, m.nclass)
	m.out = []int32{-1}
	var dups [][2]int // (pattern, earlier pattern with the same text)
	for id, p := range patterns {
		m.lens[id] = len(p)
		if p == "" {
			m.empty = append(m.empty, id)
			continue
		}
		s := int32(0)
		for i := 0; i < len(p); i++ {
			c := int(m.class[p[i]])
			next := delta[int(s)*m.nclass+c]
			if next == 0 {
				next = int32(len(m.out))
				m.out = append(m.out, -1)
				delta = append(delta, make([]int32, m.nclass)...)
				delta[int(s)*m.nclass+c] = next
			}
			s = next
		}
		if m.out[s] >= 0 {
			dups = append(dups, [2]int{id, int(m.out[s])})
			continue
		}
		m.out[s] = int32(id)
	}
	// Breadth first: complete the table with failure transitions and chain the outputs.
	states := len(m.out)
	fail := make([]int32, states)
	m.link = make([]int32, states)
	for i := range m.link {
		m.link[i] = -1
	}
	queue := make([]int32, 0, states)
	for c := 0; c < m.nclass; c++ {
		if t := delta[c]; t != 0 {
			fail[t] = 0
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := fail[s]
		if m.out[f] >= 0 {
			m.link[s] = f
		} else {
			m.link[s] = m.link[f]
		}
		row, frow := int(s)*m.nclass, int(f)*m.nclass
		for c := 0; c < m.nclass; c++ {
			if t := delta[row+c]; t != 0 && c != 0 {
				fail[t] = delta[frow+c]
				queue = append(queue, t)
			} else {
				delta[row+c] = delta[frow+c]
			}
		}
	}
	for i, t := range delta {
		delta[i] = t * int32(m.nclass) << 1
		if m.out[t] >= 0 || m.link[t] >= 0 {
			delta[i] |= 1
		}
	}
	m.step = delta
	if len(dups) > 0 {
		m.dups = make(map[int32][]int32)
		for _, d := range dups {
			m.dups[int32(d[1])] = append(m.dups[int32(d[1])], int32(d[0]))
		}
	}
	return m
}

// scan calls emit(id, end) for every occurrence of every pattern in text, end being the byte
// offset just past it, in order of end (patterns ending at the same offset longest first).
func (m *matcher) scan(text string, emit func(id, end int)) {
	m.scanOn(0, text, 0, emit)
}

// scanOn is scan for a piece of a longer text: it starts in v, the state (as held in step)
// reached at the piece's start, off is the piece's byte offset in the whole, and it returns the
// state reached at the piece's end.
func (m *matcher) scanOn(v int32, text string, off int, emit func(id, end int)) int32 {
	if m == nil || len(m.out) == 1 {
		return v
	}
	step, class := m.step, &m.class
	for i := 0; i < len(text); i++ {
		v = step[int(v>>1)+int(class[text[i]])]
		if v&1 == 0 {
			continue
		}
		t := (v >> 1) / int32(m.nclass)
		if m.out[t] < 0 {
			t = m.link[t]
		}
		for ; t >= 0; t = m.link[t] {
			id := m.out[t]
			emit(int(id), off+i+1)
			for _, d := range m.dups[id] {
				emit(int(d), off+i+1)
			}
		}
	}
	return v
}

// present marks in seen (len ≥ number of patterns) every pattern occurring in text, as
// strings.Contains would, including the empty pattern.
func (m *matcher) present(text string, seen []bool) {
	for _, id := range m.empty {
		seen[id] = true
	}
	m.scan(text, func(id, _ int) { seen[id] = true })
}

// counter counts non-overlapping occurrences per pattern, as strings.Count does: each pattern
// is counted greedily from the left, independently of the others.
type counter struct {
	count, last []int32 // per pattern: occurrences, end of the last one counted
	touched     []int32 // patterns with count > 0, to reset
}

// counts returns a counter of text's occurrences; hand it back with release. Empty patterns count 0.
func (m *matcher) counts(text string) *counter {
	c := m.counter()
	m.scan(text, func(id, end int) { m.count(c, id, end) })
	return c
}

// presentAndCount is present for the patterns below split and counts for the others, in one
// walk over the text the parts make when joined: seen needs room for split patterns, the counter
// is handed back with release.
func (m *matcher) presentAndCount(parts []string, seen []bool, split int) *counter {
	for _, id := range m.empty {
		if id < split {
			seen[id] = true
		}
	}
	c := m.counter()
	emit := func(id, end int) {
		if id < split {
			seen[id] = true
		} else {
			m.count(c, id, end)
		}
	}
	v, off := int32(0), 0
	for _, p := range parts {
		v = m.scanOn(v, p, off, emit)
		off += len(p)
	}
	return c
}

// counter takes a clear counter from the pool.
func (m *matcher) counter() *counter {
	c, _ := m.pool.Get().(*counter)
	if c == nil {
		c = new(counter)
	}
	if len(c.count) < m.n {
		c.count = make([]int32, m.n)
		c.last = make([]int32, m.n)
	}
	return c
}

// count counts pattern id's occurrence ending at end unless it overlaps the last one counted.
func (m *matcher) count(c *counter, id, end int) {
	if start := end - m.lens[id]; int32(start) >= c.last[id] {
		if c.count[id] == 0 {
			c.touched = append(c.touched, int32(id))
		}
		c.count[id]++
		c.last[id] = int32(end)
	}
}

// release clears c and returns it to m's pool.
func (m *matcher) release(c *counter) {
	for _, id := range c.touched {
		c.count[id], c.last[id] = 0, 0
	}
	c.touched = c.touched[:0]
	m.pool.Put(c)
}
