// Package monitor is Minyi's public-opinion (舆情) watch: it groups messages into hot topics,
// spots bursts against each series' own baseline, raises alerts from watch words and spikes, and
// writes the daily/weekly brief. It reads only domain records already analysed on intake, so it
// works from the local store alone and never needs the segmenter or the network.
package monitor

import (
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/domain"
)

// TopicOptions tune the clustering. Zero values take the defaults noted on each field.
type TopicOptions struct {
	// Threshold is the cosine similarity a message needs with a topic's centroid to join it
	// (default 0.25). Lower merges more.
	Threshold float64
	// Window is how far in time a message may lie from a topic's first/last message and still
	// join it (default 10 days): the same complaint a year later is a new topic.
	Window time.Duration
	// MaxTerms is how many of a message's highest-weighted terms represent it (default 14).
	MaxTerms int
	// CentroidTerms is how many terms a topic centroid keeps after pruning (default 64).
	CentroidTerms int
	// Representatives is how many messages a Topic shows as evidence (default 5).
	Representatives int
}

func (o TopicOptions) withDefaults() TopicOptions {
	if o.Threshold <= 0 {
		o.Threshold = 0.25
	}
	if o.Window <= 0 {
		o.Window = 10 * 24 * time.Hour
	}
	if o.MaxTerms <= 0 {
		o.MaxTerms = 14
	}
	if o.CentroidTerms <= 0 {
		o.CentroidTerms = 64
	}
	if o.Representatives <= 0 {
		o.Representatives = 5
	}
	return o
}

// probeTerms is how many of a message's top terms look up candidate topics in the inverted
// index; a topic that shares none of them is too far to join anyway.
const probeTerms = 6

// postingScan bounds how many of the newest topics one term's posting list offers, so a common
// term cannot make every message compare against thousands of topics.
const postingScan = 256

// term is one weighted dimension of a message or centroid vector.
type term struct {
	id int32
	w  float32
}

// cluster is a topic under construction.
type cluster struct {
	centroid    map[int32]float32 // sum of member unit vectors
	norm        float64           // cached ‖centroid‖, refreshed on each add
	first, last time.Time
	members     []int // indexes into Clusterer.docs
	indexed     map[int32]bool
}

// doc is one message as the clusterer keeps it.
type doc struct {
	rec     *domain.Record
	vec     []term // unit length, sorted by weight descending
	cluster int
}

// Clusterer groups messages into topics in one pass: each message joins the most similar live
// topic (TF-IDF cosine against the topic centroid, candidates from an inverted index over the
// topics' terms) or starts a new one. Add messages roughly in time order. Not safe for
// concurrent use.
type Clusterer struct {
	opt      TopicOptions
	vocab    map[string]int32
	terms    []string
	df       []int32
	ndocs    int
	frozen   bool // IDF fixed by Prime: Add no longer updates document frequencies
	docs     []doc
	clusters []*cluster
	postings map[int32][]int32
	stamp    []int // per cluster: the doc number that last saw it as a candidate
	scratch  map[int32]float64
	primed   map[*domain.Record][]weighted // term ids found by Prime, so Add need not intern again
	feats    []feature                     // reused buffer
}

// weighted is an interned feature.
type weighted struct {
	id    int32
	boost float32
}

// NewClusterer returns an empty clusterer.
func NewClusterer(opt TopicOptions) *Clusterer {
	return &Clusterer{
		opt: opt.withDefaults(), vocab: map[string]int32{}, postings: map[int32][]int32{},
		scratch: map[int32]float64{}, primed: map[*domain.Record][]weighted{},
	}
}

// Prime fixes the IDF from a whole collection before Add: batch clustering of a date range
// weighs early messages with the same statistics as late ones, which an online IDF cannot.
func (c *Clusterer) Prime(recs []*domain.Record) {
	seen := map[int32]bool{}
	for _, r := range recs {
		clear(seen)
		c.feats = features(c.feats[:0], r)
		ws := make([]weighted, len(c.feats))
		for i, f := range c.feats {
			id := c.intern(f.text)
			ws[i] = weighted{id, f.boost}
			if !seen[id] {
				seen[id] = true
				c.df[id]++
			}
		}
		c.primed[r] = ws
		c.ndocs++
	}
	c.frozen = true
}

func (c *Clusterer) intern(s string) int32 {
	if id, ok := c.vocab[s]; ok {
		return id
	}
	id := int32(len(c.terms))
	c.vocab[s] = id
	c.terms = append(c.terms, s)
	c.df = append(c.df, 0)
	return id
}

// feature is a raw term of a message with its boost before IDF.
type feature struct {
	text  string
	boost float32
}

// features lists a message's terms: its words (skipping one-character words and numbers, which
// carry no topic), its keywords boosted, and its district and street as place terms, so that
// the same complaint in two districts stays two topics.
func features(out []feature, r *domain.Record) []feature {
	a := &r.Analysis
	for _, w := range a.Words {
		if useful(w) {
			out = append(out, feature{w, 1})
		}
	}
	for _, k := range a.Keywords {
		if useful(k) {
			out = append(out, feature{k, 1.5})
		}
	}
	if a.District != "" {
		out = append(out, feature{"@" + a.District, 2})
	}
	if a.Street != "" {
		out = append(out, feature{"@" + a.Street, 2})
	}
	return out
}

func useful(w string) bool {
	if utf8.RuneCountInString(w) < 2 {
		return false
	}
	digits := 0
	for _, r := range w {
		if r >= '0' && r <= '9' || r == '.' || r == '-' || r == ':' || r == '/' {
			digits++
		}
	}
	return digits < len(w)
}

// vector turns a message into its unit TF-IDF vector of at most MaxTerms terms.
func (c *Clusterer) vector(r *domain.Record) []term {
	clear(c.scratch)
	if ws, ok := c.primed[r]; ok {
		delete(c.primed, r)
		for _, f := range ws {
			c.scratch[f.id] += float64(f.boost)
		}
	} else {
		if !c.frozen {
			c.ndocs++
		}
		c.feats = features(c.feats[:0], r)
		for _, f := range c.feats {
			id := c.intern(f.text)
			if _, ok := c.scratch[id]; !ok && !c.frozen {
				c.df[id]++
			}
			c.scratch[id] += float64(f.boost)
		}
	}
	n := float64(max(c.ndocs, 1))
	vec := make([]term, 0, len(c.scratch))
	for id, tf := range c.scratch {
		idf := math.Log((n+1)/(float64(c.df[id])+1)) + 1
		vec = append(vec, term{id, float32((1 + math.Log(tf)) * idf)})
	}
	slices.SortFunc(vec, byWeight)
	if len(vec) > c.opt.MaxTerms {
		vec = vec[:c.opt.MaxTerms]
	}
	var ss float64
	for _, t := range vec {
		ss += float64(t.w) * float64(t.w)
	}
	if ss > 0 {
		inv := float32(1 / math.Sqrt(ss))
		for i := range vec {
			vec[i].w *= inv
		}
	}
	return vec
}

// Add places one message in a topic and returns that topic's index.
func (c *Clusterer) Add(r *domain.Record) int {
	vec := c.vector(r)
	dn := len(c.docs)
	best, bestSim := -1, c.opt.Threshold
	for k, t := range vec {
		if k == probeTerms {
			break
		}
		list := c.postings[t.id]
		for i := len(list) - 1; i >= 0 && i >= len(list)-postingScan; i-- {
			ci := int(list[i])
			if c.stamp[ci] == dn+1 {
				continue
			}
			c.stamp[ci] = dn + 1
			cl := c.clusters[ci]
			if r.Time.Before(cl.first.Add(-c.opt.Window)) || r.Time.After(cl.last.Add(c.opt.Window)) {
				continue
			}
			var dot float64
			for _, v := range vec {
				dot += float64(v.w) * float64(cl.centroid[v.id])
			}
			if sim := dot / cl.norm; sim > bestSim || sim == bestSim && best >= 0 && ci < best {
				best, bestSim = ci, sim
			}
		}
	}
	if best < 0 {
		best = len(c.clusters)
		c.clusters = append(c.clusters, &cluster{centroid: map[int32]float32{}, first: r.Time, last: r.Time, indexed: map[int32]bool{}})
		c.stamp = append(c.stamp, 0)
	}
	cl := c.clusters[best]
	for _, v := range vec {
		cl.centroid[v.id] += v.w
	}
	if len(cl.centroid) > 4*c.opt.CentroidTerms {
		prune(cl.centroid, c.opt.CentroidTerms)
	}
	var ss float64
	for _, w := range cl.centroid {
		ss += float64(w) * float64(w)
	}
	cl.norm = math.Sqrt(ss)
	if r.Time.Before(cl.first) {
		cl.first = r.Time
	}
	if r.Time.After(cl.last) {
		cl.last = r.Time
	}
	cl.members = append(cl.members, dn)
	for k, v := range vec {
		if k == probeTerms {
			break
		}
		if !cl.indexed[v.id] {
			cl.indexed[v.id] = true
			c.postings[v.id] = append(c.postings[v.id], int32(best))
		}
	}
	c.docs = append(c.docs, doc{rec: r, vec: vec, cluster: best})
	return best
}

// prune keeps the n heaviest terms of a centroid (ties by id, so results are reproducible).
func prune(m map[int32]float32, n int) {
	ts := make([]term, 0, len(m))
	for id, w := range m {
		ts = append(ts, term{id, w})
	}
	slices.SortFunc(ts, byWeight)
	for _, t := range ts[n:] {
		delete(m, t.id)
	}
}

// byWeight orders terms heaviest first, ties by id.
func byWeight(a, b term) int {
	switch {
	case a.w > b.w:
		return -1
	case a.w < b.w:
		return 1
	}
	return int(a.id) - int(b.id)
}

// Len is the number of topics so far, singletons included.
func (c *Clusterer) Len() int { return len(c.clusters) }

// Assignment returns, for each message in the order added, the index of its topic.
func (c *Clusterer) Assignment() []int {
	out := make([]int, len(c.docs))
	for i, d := range c.docs {
		out[i] = d.cluster
	}
	return out
}

// Cluster groups recs into topics over the whole set: it sorts them by time (then id), fixes
// the IDF from the set, clusters in one pass and summarises topics with at least minSize
// messages, hottest first, with burst marks as of asOf (zero: the latest message's day).
func Cluster(recs []*domain.Record, opt TopicOptions, minSize int, asOf time.Time) []Topic {
	sorted := make([]*domain.Record, len(recs))
	copy(sorted, recs)
	sort.SliceStable(sorted, func(i, j int) bool {
		if !sorted[i].Time.Equal(sorted[j].Time) {
			return sorted[i].Time.Before(sorted[j].Time)
		}
		return sorted[i].ID < sorted[j].ID
	})
	c := NewClusterer(opt)
	c.Prime(sorted)
	for _, r := range sorted {
		c.Add(r)
	}
	return c.Topics(minSize, asOf)
}

// topicKeywords names a centroid's heaviest word terms (places left out: they have their own list).
func (c *Clusterer) topicKeywords(cl *cluster, n int) []string {
	ts := make([]term, 0, len(cl.centroid))
	for id, w := range cl.centroid {
		if !strings.HasPrefix(c.terms[id], "@") {
			ts = append(ts, term{id, w})
		}
	}
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].w != ts[j].w {
			return ts[i].w > ts[j].w
		}
		return c.terms[ts[i].id] < c.terms[ts[j].id]
	})
	out := make([]string, 0, n)
	for _, t := range ts {
		if len(out) == n {
			break
		}
		out = append(out, c.terms[t.id])
	}
	return out
}

// similarity is the cosine of a member message with its topic centroid.
func (c *Clusterer) similarity(d *doc, cl *cluster) float64 {
	if cl.norm == 0 {
		return 0
	}
	var dot float64
	for _, v := range d.vec {
		dot += float64(v.w) * float64(cl.centroid[v.id])
	}
	return dot / cl.norm
}
