package route

import (
	"math"
	"sort"
	"strings"
)

// knnIndex finds the most similar past letters (TF-IDF cosine over an inverted index). It serves
// the long tail, where a department has too few letters for a linear model, and it gives the
// officer the "similar past cases" reason.
type knnIndex struct {
	Labels []string         // department per document
	Docs   [][]int32        // feature ids per document, for persistence
	Vocab  map[string]int32 // feature → id

	idf   []float64
	post  [][]posting
	norms []float64
}

type posting struct {
	doc int32
	w   float32
}

// knnFeature keeps the features worth comparing letters on: words, title words, places and
// character bigrams/trigrams; unigrams and bigram-of-words add cost more than signal.
func knnFeature(f string) bool {
	switch {
	case strings.HasPrefix(f, "b:"), strings.HasPrefix(f, "cat:"):
		return false
	case strings.HasPrefix(f, "c:"), strings.HasPrefix(f, "tc:"):
		return len([]rune(f[strings.IndexByte(f, ':')+1:])) >= 2
	}
	return true
}

func newKNN(docs [][]string, labels []string) *knnIndex {
	k := &knnIndex{Labels: labels, Vocab: map[string]int32{}}
	for _, fs := range docs {
		var ids []int32
		seen := map[int32]bool{}
		for _, f := range fs {
			if !knnFeature(f) {
				continue
			}
			id, ok := k.Vocab[f]
			if !ok {
				id = int32(len(k.Vocab))
				k.Vocab[f] = id
			}
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		k.Docs = append(k.Docs, ids)
	}
	k.build()
	return k
}

// build derives the IDF, postings and norms from Docs (after training or loading).
func (k *knnIndex) build() {
	n := len(k.Docs)
	df := make([]int, len(k.Vocab))
	for _, d := range k.Docs {
		for _, id := range d {
			df[id]++
		}
	}
	k.idf = make([]float64, len(df))
	for i, c := range df {
		// Features in over a tenth of the letters (and over 50) say little about the department and cost most.
		if c > 0 && c <= max(n/10, 50) {
			k.idf[i] = math.Log(float64(n+1) / float64(c+1))
		}
	}
	k.post = make([][]posting, len(df))
	k.norms = make([]float64, n)
	for di, d := range k.Docs {
		var s float64
		for _, id := range d {
			w := k.idf[id]
			if w == 0 {
				continue
			}
			s += w * w
			k.post[id] = append(k.post[id], posting{doc: int32(di), w: float32(w)})
		}
		k.norms[di] = math.Sqrt(s)
	}
}

type neighbour struct {
	doc int
	sim float64
}

// query returns the k most similar documents, most similar first; skip (≥0) excludes one document.
func (k *knnIndex) query(fs []string, n int) []neighbour {
	if k == nil || len(k.Docs) == 0 || n <= 0 {
		return nil
	}
	acc := map[int32]float64{}
	seen := map[int32]bool{}
	var qn float64
	for _, f := range fs {
		if !knnFeature(f) {
			continue
		}
		id, ok := k.Vocab[f]
		if !ok || seen[id] || k.idf[id] == 0 {
			continue
		}
		seen[id] = true
		w := k.idf[id]
		qn += w * w
		for _, p := range k.post[id] {
			acc[p.doc] += w * float64(p.w)
		}
	}
	if qn == 0 {
		return nil
	}
	qn = math.Sqrt(qn)
	// Keep the n best in a small sorted slice: sorting every matching letter cost more than
	// the rest of routing on a history of thousands.
	better := func(a, b neighbour) bool {
		if a.sim != b.sim {
			return a.sim > b.sim
		}
		return a.doc < b.doc
	}
	out := make([]neighbour, 0, n+1)
	for d, s := range acc {
		nb := neighbour{doc: int(d), sim: s / (qn * k.norms[d])}
		if len(out) == n && !better(nb, out[n-1]) {
			continue
		}
		i := sort.Search(len(out), func(i int) bool { return better(nb, out[i]) })
		out = append(out, neighbour{})
		copy(out[i+1:], out[i:])
		out[i] = nb
		if len(out) > n {
			out = out[:n]
		}
	}
	return out
}
