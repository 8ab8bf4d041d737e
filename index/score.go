package index

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// scoreNode is one node of a query's scoring tree: a term, or a conjunction or disjunction of
// nodes. Scores follow bleve's TF-IDF, so a relevance page reads the same whichever path
// answered it:
//
//	term:        sqrt(tf) · norm · idf · (boost · idf · queryNorm), idf = 1 + ln(docs / (df+1))
//	conjunction: the sum of its children
//	disjunction: the sum of the children that match × matched / children
//	queryNorm:   1 / sqrt(Σ over the terms of (boost · idf)²)
//
// but are computed straight from the postings of the candidate documents, without bleve's
// searchers, per-match objects and collector: about a tenth of the CPU per scored match.
type scoreNode struct {
	field string
	term  []byte
	boost float64
	conj  bool
	kids  []*scoreNode
	// window, when set, makes the node a time filter: it matches the records in the window
	// and adds nothing to the score, as its bleve searcher does.
	window  *timeRange
	winSegs []*roaring.Bitmap // the window's live documents per segment, from prepare
	inWin   *roaring.Bitmap   // winSegs of the open segment

	pls    []segment.PostingsList // per segment, read by prepare for df and kept for open
	df     uint64                 // live documents with the term in the whole snapshot
	idf    float64                // 1 + ln(docs / (df+1))
	weight float64                // boost · idf · queryNorm

	// Per segment while scoring: the term's postings and the last posting read from them.
	it       segment.PostingsIterator
	at       uint64 // number of the last posting read (started); finished when none is left
	freq     uint64
	norm     float64
	started  bool
	finished bool
}

// planScore builds the scoring tree of q; ok is false when q has a part this scorer does not
// reproduce (prefixes, wildcards, phrases, negations, boosts on groups…), and bleve scores it.
func planScore(q query.Query) (n *scoreNode, ok bool) {
	switch q := q.(type) {
	case *query.TermQuery:
		return &scoreNode{field: q.FieldVal, term: []byte(q.Term), boost: q.Boost()}, true
	case *timeRange:
		return &scoreNode{window: q}, true
	case *query.ConjunctionQuery:
		if q.Boost() != 1 || len(q.Conjuncts) == 0 {
			return nil, false
		}
		n = &scoreNode{conj: true}
		for _, c := range q.Conjuncts {
			k, ok := planScore(c)
			if !ok {
				return nil, false
			}
			n.kids = append(n.kids, k)
		}
		return n, true
	case *query.DisjunctionQuery:
		if q.Boost() != 1 || q.Min > 1 || len(q.Disjuncts) == 0 {
			return nil, false
		}
		n = &scoreNode{}
		for _, c := range q.Disjuncts {
			k, ok := planScore(c)
			if !ok {
				return nil, false
			}
			n.kids = append(n.kids, k)
		}
		return n, true
	}
	return nil, false
}

// leaves calls fn for every term node.
func (n *scoreNode) leaves(fn func(*scoreNode)) {
	if n.kids == nil {
		fn(n)
		return
	}
	for _, k := range n.kids {
		k.leaves(fn)
	}
}

// count is what bleve orders a conjunction's children by: a term's document frequency, a
// group's sum (conjunction) or total (disjunction) of its children's.
func (n *scoreNode) count() uint64 {
	if n.kids == nil {
		return n.df
	}
	var c uint64
	for _, k := range n.kids {
		c += k.count()
	}
	return c
}

// prepare reads every term's document frequency in sv, computes the idfs and the query norm,
// and orders each conjunction's children as bleve does (rarest first), which fixes the order
// in which scores are summed.
func (n *scoreNode) prepare(sv *snapView) error {
	var docs uint64
	for i := range sv.segs {
		s := &sv.segs[i]
		docs += s.count
		if s.deleted != nil {
			docs -= s.deleted.GetCardinality()
		}
	}
	var err error
	n.leaves(func(l *scoreNode) {
		if err != nil {
			return
		}
		if l.window != nil {
			l.winSegs = make([]*roaring.Bitmap, len(sv.segs))
			for i := range sv.segs {
				bm := l.window.segment(sv.segs[i].cols)
				if d := sv.segs[i].deleted; d != nil {
					bm.AndNot(d)
				}
				l.df += bm.GetCardinality()
				l.winSegs[i] = bm
			}
			return
		}
		l.pls = make([]segment.PostingsList, len(sv.segs))
		for i := range sv.segs {
			var pl segment.PostingsList
			if pl, err = postings(&sv.segs[i], l.field, l.term); err != nil {
				return
			}
			if pl != nil {
				l.df += pl.Count()
				l.pls[i] = pl
			}
		}
		l.idf = 1.0 + math.Log(float64(docs)/float64(l.df+1.0))
	})
	if err != nil {
		return err
	}
	n.sortConj()
	var sum float64
	n.leaves(func(l *scoreNode) {
		if l.window == nil {
			w := l.boost * l.idf
			sum += w * w
		}
	})
	norm := 1.0 / math.Sqrt(sum)
	n.leaves(func(l *scoreNode) { l.weight = l.boost * l.idf * norm })
	return nil
}

func (n *scoreNode) sortConj() {
	for _, k := range n.kids {
		k.sortConj()
	}
	if n.conj {
		slices.SortStableFunc(n.kids, func(a, b *scoreNode) int { return cmp.Compare(a.count(), b.count()) })
	}
}

// postings is the postings list of field:term in one segment, deleted documents excluded; nil
// when the segment does not have the field.
func postings(sv *segView, field string, term []byte) (segment.PostingsList, error) {
	d, err := sv.seg.Dictionary(field)
	if err != nil || d == nil {
		return nil, err
	}
	return d.PostingsList(term, sv.deleted, nil)
}

// open points every term at its postings in segment si (read by prepare).
func (n *scoreNode) open(si int) {
	n.leaves(func(l *scoreNode) {
		if l.window != nil {
			l.inWin = l.winSegs[si]
			return
		}
		l.started, l.finished = false, false
		pl := l.pls[si]
		if pl == nil {
			l.finished = true
			return
		}
		// A term with boost 0 only has to match: its iterator skips with the bitmap alone
		// instead of decoding every frequency on the way.
		l.it = pl.Iterator(l.boost != 0, l.boost != 0, false, l.it)
	})
}

// score is n's score for document doc of the open segment; ok is false when doc does not match
// n. Documents must be asked for in increasing order.
func (n *scoreNode) score(doc uint64) (s float64, ok bool, err error) {
	if n.window != nil {
		return 0, n.inWin.Contains(uint32(doc)), nil
	}
	if n.kids == nil {
		if n.finished || n.started && n.at > doc {
			return 0, false, nil
		}
		if !n.started || n.at < doc {
			p, err := n.it.Advance(doc)
			if err != nil {
				return 0, false, err
			}
			n.started = true
			if p == nil {
				n.finished = true
				return 0, false, nil
			}
			n.at = p.Number()
			if n.boost != 0 {
				n.freq, n.norm = p.Frequency(), p.Norm()
			}
			if n.at != doc {
				return 0, false, nil
			}
		}
		if n.boost == 0 {
			return 0, true, nil // tf·norm·idf × 0, as bleve scores it
		}
		s = math.Sqrt(float64(n.freq)) * n.norm * n.idf
		if n.weight != 1.0 {
			s *= n.weight
		}
		return s, true, nil
	}
	matched := 0
	for _, k := range n.kids {
		ks, kok, err := k.score(doc)
		if err != nil {
			return 0, false, err
		}
		if !kok {
			if n.conj {
				return 0, false, nil // the other terms catch up when asked for a later document
			}
			continue
		}
		matched++
		s += ks
	}
	if n.conj {
		return s, matched == len(n.kids), nil
	}
	if matched == 0 {
		return 0, false, nil
	}
	return s * (float64(matched) / float64(len(n.kids))), true, nil
}

// scoredDoc is one scored candidate: its segment, document number and score.
type scoredDoc struct {
	seg   int32
	doc   uint32
	score float64
}

// better orders scored documents as bleve's collector does: by score, then by position.
func (a scoredDoc) better(b scoredDoc) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if a.seg != b.seg {
		return a.seg < b.seg
	}
	return a.doc < b.doc
}

// clone copies the tree with fresh per-segment state, so several segments can be scored at once.
func (n *scoreNode) clone() *scoreNode {
	c := *n
	c.it, c.inWin, c.started, c.finished = nil, nil, false, false
	if n.kids != nil {
		c.kids = make([]*scoreNode, len(n.kids))
		for i, k := range n.kids {
			c.kids[i] = k.clone()
		}
	}
	return &c
}

// topScored keeps the best k scored documents; once k are kept its root is the worst of them.
type topScored struct {
	k   int
	top []scoredDoc
}

func (t *topScored) offer(sd scoredDoc) {
	if len(t.top) == t.k && !sd.better(t.top[0]) {
		return // most candidates: not better than the worst kept, decided without a call
	}
	t.top = keepBest(t.top, sd, t.k, scoredWorse)
}

// scoredWorse reports whether a ranks below b.
func scoredWorse(a, b scoredDoc) bool { return b.better(a) }

// scoreTop scores the candidates (per segment, a bitmap of document numbers) with n and
// returns the best k, best first. Segments are scored on segWorkers goroutines, each with its
// own copy of the tree and its own best k, merged at the end.
func scoreTop(ctx context.Context, sv *snapView, n *scoreNode, cands []*roaring.Bitmap, k int) ([]scoredDoc, error) {
	if k <= 0 {
		return nil, nil
	}
	var work []int
	for si := range sv.segs {
		if cands[si] != nil && !cands[si].IsEmpty() {
			work = append(work, si)
		}
	}
	workers := segmentWorkers(len(work))
	trees := make([]*scoreNode, workers)
	tops := make([]topScored, workers)
	for w := range workers {
		trees[w], tops[w] = n.clone(), topScored{k: k}
	}
	buf := make([][]uint32, workers)
	err := eachSegmentBy(len(work), func(w, i int) error {
		if buf[w] == nil {
			buf[w] = make([]uint32, 256)
		}
		return scoreSegment(ctx, sv, trees[w], cands, work[i], buf[w], &tops[w])
	})
	if err != nil {
		return nil, err
	}
	all := tops[0]
	for _, t := range tops[1:] {
		for _, sd := range t.top {
			all.offer(sd)
		}
	}
	slices.SortFunc(all.top, func(a, b scoredDoc) int {
		if a.better(b) {
			return -1
		}
		if b.better(a) {
			return 1
		}
		return 0
	})
	return all.top, nil
}

// scoreSegment scores the candidates of segment si into top.
func scoreSegment(ctx context.Context, sv *snapView, n *scoreNode, cands []*roaring.Bitmap, si int, buf []uint32, top *topScored) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	n.open(si)
	it := cands[si].ManyIterator()
	for c := it.NextMany(buf); c > 0; c = it.NextMany(buf) {
		for _, d := range buf[:c] {
			s, ok, err := n.score(uint64(d))
			if err != nil {
				return err
			}
			if ok {
				top.offer(scoredDoc{seg: int32(si), doc: d, score: s})
			}
		}
	}
	return nil
}
