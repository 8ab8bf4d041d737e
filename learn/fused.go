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
// of Models stands for the i-th model given to NewFused.
type FusedPart struct {
	Hashes []uint64
	Models uint8
}

// fusedIDFScale is the IDF quantum of the model file: IDFs are multiples of 1/1024.
const fusedIDFScale = 1024

// NewFused interleaves up to eight models of one hash size. It reports false
// (and returns nil) when they cannot be fused: different hash sizes, per-view
// normalisation, or IDFs that are not the model file's uint16 multiples of
// 1/1024 (models trained in memory rather than loaded).
func NewFused(ms ...*Model) (*Fused, bool) {
	if len(ms) == 0 || len(ms) > 8 {
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
	table []uint32 // open addressing: bucket+1, 0 = empty
	slot  []int32  // position in idx of the table entry
	idx   []uint32 // distinct buckets in first-seen order
	cnt   []float32
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
	f.count(sc, parts)

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
	var norm [8]float64
	var lay [8]fusedLayout
	for i := range k {
		lay[i] = fusedLayout{f.woff[i], f.nw[i], f.aoff[i], f.models[i].tf}
	}
	for e, b := range sc.idx {
		row := f.rows[int(b)*stride:][:stride]
		cnt := sc.cnt[e*k:][:k]
		for i, c := range cnt {
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
			for c, wc := range w {
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
// counts in sc.cnt (len(models) per bucket), and sizes sc.acc.
func (f *Fused) count(sc *fusedScratch, parts []FusedPart) {
	k := len(f.models)
	n := 0
	for _, p := range parts {
		n += len(p.Hashes)
	}
	size := 64
	for size < 2*n {
		size <<= 1
	}
	if len(sc.table) < size {
		sc.table = make([]uint32, size)
		sc.slot = make([]int32, size)
	} else {
		sc.table = sc.table[:size]
		clear(sc.table)
	}
	if na := f.aoff[k-1] + f.nw[k-1]; len(sc.acc) != na {
		sc.acc = make([]float64, na)
	}
	tmask := uint64(size - 1)
	mask := uint64(1)<<f.bits - 1
	sc.idx, sc.cnt = sc.idx[:0], sc.cnt[:0]
	for _, p := range parts {
		models := p.Models & (1<<k - 1)
		if models == 0 {
			continue
		}
		for _, h := range p.Hashes {
			b := uint32(h & mask)
			pos := (uint64(b) * 0x9E3779B97F4A7C15 >> 32) & tmask
			var e int
			for {
				t := sc.table[pos]
				if t == 0 {
					sc.table[pos] = b + 1
					e = len(sc.idx)
					sc.slot[pos] = int32(e)
					sc.idx = append(sc.idx, b)
					for range k {
						sc.cnt = append(sc.cnt, 0)
					}
					break
				}
				if t == b+1 {
					e = int(sc.slot[pos])
					break
				}
				pos = (pos + 1) & tmask
			}
			cnt := sc.cnt[e*k : e*k+k]
			for ms := models; ms != 0; ms &= ms - 1 {
				cnt[bits.TrailingZeros8(ms)]++
			}
		}
	}
}
