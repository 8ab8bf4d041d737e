package learn

import (
	"math"
	"math/bits"
	"sync"
)

// Fused predicts with several models over the same hash space at once. At
// construction it lays their IDFs and weights out interleaved, one row per
// bucket (one 64-byte cache line for Minyi's three models), so that a feature
// costs one memory access for all the models instead of two per model, and it
// counts the features once for all of them. Its probabilities equal each
// model's ProbsHashed up to float rounding. It is safe for concurrent use.
type Fused struct {
	models []*Model
	bits   uint8
	stride int      // uint32 slots per bucket row
	woff   []int    // per model: slot of its first weight in a row
	nw     []int    // per model: weights stored per row (1 for a mirrored two-class model)
	aoff   []int    // per model: offset of its accumulators in fusedScratch.acc
	rows   []uint32 // bucket-major rows: the IDFs as uint16 (×1/1024), two per slot, then float32 weights
	pool   sync.Pool
}

// FusedPart is a run of feature hashes and the models that read them: bit i
// of Models stands for the i-th model given to NewFused (higher bits are ignored).
type FusedPart struct {
	Hashes []uint64
	Models uint8
}

// fusedMaxModels is how many models one Fused holds: their per-bucket counts
// are 16-bit lanes of one uint64.
const fusedMaxModels = 4

// fusedIDFScale is the IDF quantum of the model file: IDFs are multiples of 1/1024.
const fusedIDFScale = 1024

// NewFused interleaves up to four models of one hash size. It reports false
// (and returns nil) when they cannot be fused: different hash sizes, per-view
// normalisation, or IDFs that are not the model file's uint16 multiples of
// 1/1024 (models trained in memory rather than loaded).
func NewFused(ms ...*Model) (*Fused, bool) {
	if len(ms) == 0 || len(ms) > fusedMaxModels {
		return nil, false
	}
	f := &Fused{models: ms, bits: ms[0].bits}
	idfSlots := (len(ms) + 1) / 2
	slots, acc := idfSlots, 0
	for _, m := range ms {
		if m.bits != f.bits || m.viewNorm {
			return nil, false
		}
		for _, idf := range m.idf {
			q := math.Round(float64(idf) * fusedIDFScale)
			if q < 0 || q > math.MaxUint16 || float32(q/fusedIDFScale) != idf {
				return nil, false
			}
		}
		nw := m.nc
		if m.mirrored() {
			nw = 1
		}
		f.woff = append(f.woff, slots)
		f.nw = append(f.nw, nw)
		f.aoff = append(f.aoff, acc)
		slots += nw
		acc += nw
	}
	f.stride = slots
	if slots <= 16 { // whole cache lines: the rows of a large allocation start page-aligned
		f.stride = 1 << bits.Len(uint(slots-1))
	}
	dim := 1 << f.bits
	f.rows = make([]uint32, dim*f.stride)
	for i, m := range ms {
		for b := range dim {
			row := f.rows[b*f.stride : b*f.stride+f.stride]
			q := uint32(math.Round(float64(m.idf[b]) * fusedIDFScale))
			row[i/2] |= q << (16 * (i % 2))
			w := m.w[b*m.nc : b*m.nc+m.nc]
			if f.nw[i] == 1 {
				w = w[1:] // mirrored: the first class is the negated second
			}
			for c, wc := range w {
				row[f.woff[i]+c] = math.Float32bits(wc)
			}
		}
	}
	return f, true
}

// Models returns the fused models in their order.
func (f *Fused) Models() []*Model { return f.models }

// fusedLayout is where one model's values sit in a row and its accumulators.
type fusedLayout struct {
	woff, nw, aoff int
	tf             TFMode
}

// fusedScratch holds Probs' per-call buffers.
type fusedScratch struct {
	buckets
	cnt   []uint64 // per bucket (idx order): the count of model i in bits 16i..16i+15
	acc   []float64
	touch uint32 // keeps the touching loads of Probs
}

// Probs writes each model's calibrated probabilities, in its Labels order,
// into dst[i] (grown if short); dst must have one slice per model. Model i
// reads the hashes of the parts whose Models has bit i, as if they were given
// to its ProbsHashed concatenated.
func (f *Fused) Probs(parts []FusedPart, dst [][]float64) {
	sc, _ := f.pool.Get().(*fusedScratch)
	if sc == nil {
		sc = &fusedScratch{}
	}
	defer f.pool.Put(sc)
	k := len(f.models)
	if !f.count(sc, parts) {
		f.probsApart(parts, dst)
		return
	}

	// Touch every row first: independent loads overlap their cache misses,
	// which the dependent arithmetic below would otherwise serialise.
	stride := f.stride
	var touch uint32
	for _, b := range sc.idx {
		touch |= f.rows[int(b)*stride]
	}
	sc.touch = touch

	acc := sc.acc
	clear(acc)
	var norm [fusedMaxModels]float64
	var lay [fusedMaxModels]fusedLayout
	for i := range k {
		lay[i] = fusedLayout{f.woff[i], f.nw[i], f.aoff[i], f.models[i].tf}
	}
	for e, b := range sc.idx {
		row := f.rows[int(b)*stride:][:stride]
		lanes := sc.cnt[e]
		for i := 0; lanes != 0; i, lanes = i+1, lanes>>16 {
			c := float32(lanes & 0xFFFF)
			if c == 0 {
				continue
			}
			q := row[i>>1] >> (16 * (i & 1)) & 0xFFFF
			if q == 0 {
				continue
			}
			l := &lay[i]
			v := float64(q) * (1.0 / fusedIDFScale)
			if c != 1 {
				v *= tfWeight(l.tf, c)
			}
			norm[i] += v * v
			w := row[l.woff:][:l.nw]
			a := acc[l.aoff:][:len(w)]
			for c, wc := range w { // c shadows the count, no longer needed
				a[c] += v * float64(math.Float32frombits(wc))
			}
		}
	}
	for i, m := range f.models {
		if cap(dst[i]) < m.nc {
			dst[i] = make([]float64, m.nc)
		}
		d := dst[i][:m.nc]
		dst[i] = d
		inv := 1.0
		if norm[i] > 0 {
			inv = 1 / math.Sqrt(norm[i])
		}
		a := acc[f.aoff[i] : f.aoff[i]+f.nw[i]]
		if f.nw[i] == 1 {
			d[1] = float64(m.bias[1]) + a[0]*inv
			d[0] = -d[1]
		} else {
			for c := range d {
				d[c] = float64(m.bias[c]) + a[c]*inv
			}
		}
		softmax(d, m.invTemp)
	}
}

// count groups the hashes of parts by bucket into sc.idx, with per-model
// counts in sc.cnt, and sizes sc.acc. It reports false when there are too
// many hashes for 16-bit counts (then nothing is counted).
func (f *Fused) count(sc *fusedScratch, parts []FusedPart) bool {
	k := len(f.models)
	n := 0
	for _, p := range parts {
		n += len(p.Hashes)
	}
	if n > 0xFFFF {
		return false
	}
	sc.reset(n)
	if na := f.aoff[k-1] + f.nw[k-1]; len(sc.acc) != na {
		sc.acc = make([]float64, na)
	}
	mask := uint64(1)<<f.bits - 1
	sc.cnt = sc.cnt[:0]
	for _, p := range parts {
		var add uint64 // one in the lane of each model that reads the part
		for i := range k {
			if p.Models&(1<<i) != 0 {
				add |= 1 << (16 * i)
			}
		}
		if add == 0 {
			continue
		}
		for _, h := range p.Hashes {
			if i, fresh := sc.find(uint32(h & mask)); fresh {
				sc.cnt = append(sc.cnt, add)
			} else {
				sc.cnt[i] += add
			}
		}
	}
	return true
}

// probsApart is Probs through each model on its own, for texts too long for
// count's 16-bit counts.
func (f *Fused) probsApart(parts []FusedPart, dst [][]float64) {
	var hashes []uint64
	for i, m := range f.models {
		hashes = hashes[:0]
		for _, p := range parts {
			if p.Models&(1<<i) != 0 {
				hashes = append(hashes, p.Hashes...)
			}
		}
		dst[i] = m.ProbsHashed(hashes, dst[i])
	}
}
