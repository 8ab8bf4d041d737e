package learn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"testing"

	"minyi/internal/cputime"
)

// synth makes n examples over the given labels: each carries two words only
// its label uses and a few shared noise words, so the data are separable.
func synth(n int, labels []string, seed uint64) []Example {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]Example, n)
	for i := range out {
		l := labels[i%len(labels)]
		f := []string{fmt.Sprintf("%s_%d", l, rng.IntN(8)), fmt.Sprintf("%s_%d", l, rng.IntN(8))}
		for range 4 {
			f = append(f, fmt.Sprintf("noise_%d", rng.IntN(40)))
		}
		out[i] = Example{Features: f, Label: l}
	}
	return out
}

func mustTrain(tb testing.TB, ex []Example, opt Options) *Model {
	tb.Helper()
	m, err := Train(ex, opt)
	if err != nil {
		tb.Fatalf("Train: %v", err)
	}
	return m
}

func TestTrainSeparable(t *testing.T) {
	two := []string{"neg", "pos"}
	six := []string{"angry", "fear", "happy", "neutral", "sad", "surprise"}
	tests := []struct {
		name   string
		labels []string
		opt    Options
	}{
		{"binary default", two, Options{}},
		{"binary hinge", two, Options{Loss: LossHinge}},
		{"binary nb", two, Options{NB: true}},
		{"multi default", six, Options{}},
		{"multi balanced binary tf", six, Options{ClassWeight: WeightBalanced, TF: TFBinary}},
		{"multi half-balanced", six, Options{ClassWeight: WeightBalanced, BalancePow: 0.5}},
		{"multi nb no idf raw tf", six, Options{NB: true, NoIDF: true, TF: TFRaw}},
		{"multi small hash no calibration", six, Options{HashBits: 12, CalibFolds: -1, C: 10}},
		{"multi view norm", six, Options{ViewNorm: true}},
		{"binary nb mix", two, Options{NBMix: 0.5}},
		{"multi nb mix", six, Options{NBMix: 0.3}},
		{"multi tuned for macro-F1", six, Options{TuneBias: MetricMacroF1, ClassWeight: WeightBalanced}},
		{"binary tuned for accuracy", two, Options{TuneBias: MetricAccuracy}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			train := synth(300, tt.labels, 1)
			test := synth(120, tt.labels, 2)
			m := mustTrain(t, train, tt.opt)
			for _, set := range []struct {
				name string
				ex   []Example
			}{{"train", train}, {"test", test}} {
				r := Evaluate(m, set.ex)
				if r.Accuracy != 1 || r.MacroF1 != 1 || r.AccAt3 != 1 || r.N != len(set.ex) {
					t.Errorf("%s: got %+v, want perfect", set.name, r)
				}
			}
			if got := m.Labels(); len(got) != len(tt.labels) {
				t.Errorf("Labels() = %v, want %v", got, tt.labels)
			}
		})
	}
}

func TestPredictCalibrated(t *testing.T) {
	labels := []string{"a", "b", "c", "d"}
	m := mustTrain(t, synth(200, labels, 3), Options{})
	if tmp := m.Temperature(); !(tmp > 0) || math.IsInf(tmp, 0) {
		t.Fatalf("temperature %v", tmp)
	}
	inputs := [][]string{
		{"a_1", "noise_3"},
		{"b_2", "c_3"},
		{},
		{"never seen", "also unknown"},
		{"d_1", "d_1", "d_1"},
	}
	for _, in := range inputs {
		t.Run(fmt.Sprint(in), func(t *testing.T) {
			p := m.Predict(in)
			if len(p) != len(labels) {
				t.Fatalf("got %d labels, want %d", len(p), len(labels))
			}
			var sum float64
			for i, s := range p {
				sum += s.Prob
				if i > 0 && s.Prob > p[i-1].Prob {
					t.Errorf("not sorted: %v", p)
				}
				if s.Prob < 0 || s.Prob > 1 {
					t.Errorf("prob out of range: %v", s)
				}
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Errorf("probabilities sum to %v", sum)
			}
			hashes := HashAll(nil, in)
			lab, prob := m.Best(hashes)
			if lab != p[0].Label || math.Abs(prob-p[0].Prob) > 1e-12 {
				t.Errorf("Best = %s %v, Predict top = %v", lab, prob, p[0])
			}
		})
	}
	if got := m.Predict([]string{"a_1", "a_2"})[0]; got.Label != "a" || got.Prob < 0.5 {
		t.Errorf("clear case predicted %v", got)
	}
}

func TestHasherStreams(t *testing.T) {
	for _, parts := range [][]string{{"", ""}, {"w:", "投诉"}, {"c", ":", "噪音扰民"}} {
		h := NewHasher()
		whole := ""
		for _, p := range parts {
			h = h.String(p)
			whole += p
		}
		if h.Sum() != Hash(whole) {
			t.Errorf("streamed %q differs from whole", parts)
		}
		hb := NewHasher()
		for i := 0; i < len(whole); i++ {
			hb = hb.Byte(whole[i])
		}
		if hb.Sum() != Hash(whole) {
			t.Errorf("byte-wise %q differs from whole", whole)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	for _, labels := range [][]string{{"neg", "pos"}, {"甲", "乙", "丙"}} {
		t.Run(fmt.Sprint(labels), func(t *testing.T) {
			train := synth(150, labels, 4)
			m := mustTrain(t, train, Options{NB: true, ViewNorm: true, TuneBias: MetricMacroF1})
			b, err := m.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var m2 Model
			if err := m2.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			for _, e := range synth(50, labels, 5) {
				p1, p2 := m.Predict(e.Features), m2.Predict(e.Features)
				for i := range p1 {
					if p1[i] != p2[i] {
						t.Fatalf("prediction differs after reload: %v vs %v", p1, p2)
					}
				}
			}
			b2, err := m2.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, b2) {
				t.Error("re-marshalled bytes differ")
			}
		})
	}
}

func TestUnmarshalRejects(t *testing.T) {
	m := mustTrain(t, synth(60, []string{"x", "y"}, 6), Options{})
	good, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x40
	version := bytes.Clone(good)
	version[4] = 9
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrFormat},
		{"magic", []byte("NOPE0000000000"), ErrFormat},
		{"version", version, ErrFormat},
		{"bit flip", flipped, ErrChecksum},
		{"truncated", good[:len(good)-3], ErrChecksum},
		{"garbage body valid crc", withCRC([]byte("MNYL\x01\x00garbage")), ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Model
			if err := m.UnmarshalBinary(tt.in); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func withCRC(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(bytes.Clone(b), crc32.ChecksumIEEE(b))
}

func FuzzUnmarshalBinary(f *testing.F) {
	m := mustTrain(f, synth(40, []string{"x", "y", "z"}, 8), Options{HashBits: 10})
	good, err := m.MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("MNYL\x01\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Model
		_ = m.UnmarshalBinary(data)
		// Also reach the decoder behind the checksum.
		if len(data) >= 4 {
			var m2 Model
			if m2.UnmarshalBinary(withCRC(data[:len(data)-4])) == nil {
				m2.Predict([]string{"x_1", "y_2"})
			}
		}
		if m, err := decodeBody(data); err == nil {
			m.Predict([]string{"a"})
		}
	})
}

func TestDeterministic(t *testing.T) {
	ex := synth(200, []string{"a", "b", "c"}, 9)
	for _, opt := range []Options{{Seed: 1}, {Seed: 2, NB: true, ClassWeight: WeightBalanced}} {
		b1, _ := mustTrain(t, ex, opt).MarshalBinary()
		b2, _ := mustTrain(t, ex, opt).MarshalBinary()
		if !bytes.Equal(b1, b2) {
			t.Errorf("options %+v: two trainings differ", opt)
		}
		r1, err1 := CrossValidate(ex, 3, opt)
		r2, err2 := CrossValidate(ex, 3, opt)
		if err1 != nil || err2 != nil || r1.Accuracy != r2.Accuracy || r1.LogLoss != r2.LogLoss {
			t.Errorf("CrossValidate not deterministic: %v %v / %+v %+v", err1, err2, r1, r2)
		}
	}
}

func TestTrainErrors(t *testing.T) {
	tests := []struct {
		name string
		ex   []Example
		opt  Options
		want error
	}{
		{"no data", nil, Options{}, ErrNoData},
		{"unlabelled", []Example{{Features: []string{"a"}}}, Options{}, ErrNoData},
		{"one class", []Example{{Features: []string{"a"}, Label: "x"}, {Features: []string{"b"}, Label: "x"}}, Options{}, ErrOneClass},
		{"hash bits", synth(10, []string{"a", "b"}, 1), Options{HashBits: 30}, ErrBadOptions},
		{"loss", synth(10, []string{"a", "b"}, 1), Options{Loss: 7}, ErrBadOptions},
		{"nb mix", synth(10, []string{"a", "b"}, 1), Options{NBMix: 1.5}, ErrBadOptions},
		{"balance power", synth(10, []string{"a", "b"}, 1), Options{ClassWeight: WeightBalanced, BalancePow: -1}, ErrBadOptions},
		{"tuning without folds", synth(10, []string{"a", "b"}, 1), Options{TuneBias: MetricMacroF1, CalibFolds: -1}, ErrBadOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Train(tt.ex, tt.opt); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := CrossValidate(synth(10, []string{"a", "b"}, 1), 1, Options{}); !errors.Is(err, ErrBadOptions) {
		t.Errorf("1 fold: got %v", err)
	}
}

func TestReportMetrics(t *testing.T) {
	// truth → top prediction: a→a, a→b, b→b, c→b ; c's true label ranks third.
	var tl tally
	rank := func(ls ...string) []Scored {
		out := make([]Scored, len(ls))
		for i, l := range ls {
			out[i] = Scored{Label: l, Prob: []float64{0.5, 0.3, 0.2}[i]}
		}
		return out
	}
	tl.add("a", rank("a", "b", "c"))
	tl.add("a", rank("b", "a", "c"))
	tl.add("b", rank("b", "a", "c"))
	tl.add("c", rank("b", "a", "c"))
	r := tl.report()
	// a: P=1 R=.5 F1=2/3; b: P=1/3 R=1 F1=.5; c: F1=0.
	want := map[string]float64{"a": 2.0 / 3, "b": 0.5, "c": 0}
	for l, f1 := range want {
		if math.Abs(r.PerClass[l].F1-f1) > 1e-12 {
			t.Errorf("F1[%s] = %v, want %v", l, r.PerClass[l].F1, f1)
		}
	}
	if r.Accuracy != 0.5 || r.AccAt3 != 1 || math.Abs(r.MacroF1-(2.0/3+0.5)/3) > 1e-12 {
		t.Errorf("report %+v", r)
	}
	if wantLL := -(math.Log(.5) + math.Log(.3) + math.Log(.5) + math.Log(.2)) / 4; math.Abs(r.LogLoss-wantLL) > 1e-12 {
		t.Errorf("log loss %v, want %v", r.LogLoss, wantLL)
	}
}

func BenchmarkProbsHashed(b *testing.B) {
	six := []string{"angry", "fear", "happy", "neutral", "sad", "surprise"}
	m := mustTrain(b, synth(2000, six, 10), Options{})
	ex := synth(1, six, 11)[0]
	var feats []string
	for i := range 400 { // the size of a 200-character message's features
		feats = append(feats, fmt.Sprintf("%s_%d", ex.Features[i%len(ex.Features)], i))
	}
	hashes := HashAll(nil, feats)
	dst := make([]float64, len(six))
	b.ReportAllocs()
	cpu := cputime.Used()
	for b.Loop() {
		dst = m.ProbsHashed(hashes, dst)
	}
	b.ReportMetric(float64(cputime.Used()-cpu)/float64(b.N), "cpu-ns/op")
}

func TestTuneOffsetsNeverWorse(t *testing.T) {
	for _, nc := range []int{2, 4} {
		for _, metric := range []Metric{MetricAccuracy, MetricMacroF1} {
			t.Run(fmt.Sprintf("%d classes metric %d", nc, metric), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(nc), uint64(metric)))
				n := 400
				y := make([]int, n)
				scores := make([]float64, n*nc)
				for i := range y {
					y[i] = min(rng.IntN(nc*2), nc-1) // skewed: the last class dominates
					for c := range nc {
						scores[i*nc+c] = rng.NormFloat64()
					}
					scores[i*nc+y[i]] += 0.8
				}
				zero := make([]float64, nc)
				off := tuneOffsets(scores, y, nc, metric)
				before, after := predictionMetric(scores, zero, y, nc, metric), predictionMetric(scores, off, y, nc, metric)
				if after < before {
					t.Errorf("tuning lowered the metric: %.4f → %.4f", before, after)
				}
				if nc == 2 && off[0] != -off[1] {
					t.Errorf("two-class offsets not mirrored: %v", off)
				}
			})
		}
	}
}

// BenchmarkTrain50k trains a calibrated two-class model on 50,000 synthetic
// examples of ~60 features (the size of a short review's words and n-grams).
func BenchmarkTrain50k(b *testing.B) {
	rng := rand.New(rand.NewPCG(12, 13))
	ex := make([]Example, 50000)
	for i := range ex {
		label := []string{"neg", "pos"}[i%2]
		f := make([]string, 0, 60)
		for range 60 {
			if rng.IntN(10) == 0 {
				f = append(f, fmt.Sprintf("%s_%d", label, rng.IntN(2000)))
			} else {
				f = append(f, fmt.Sprintf("w_%d", rng.IntN(100000)))
			}
		}
		ex[i] = Example{Features: f, Label: label}
	}
	b.ResetTimer()
	cpu := cputime.Used()
	for b.Loop() {
		if _, err := Train(ex, Options{NBMix: 0.5}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cputime.Used()-cpu)/float64(b.N)/1e9, "cpu-s/op")
}

func TestClassWeights(t *testing.T) {
	// 6 rows of class 0, 2 of class 1, 0 of class 2 (among 8 rows, 3 labels).
	d := &dataset{labels: []string{"a", "b", "c"}, y: []int{0, 0, 0, 0, 0, 0, 1, 1}}
	rows := []int{0, 1, 2, 3, 4, 5, 6, 7}
	tests := []struct {
		name string
		opt  Options
		want []float64
	}{
		{"none", Options{}, []float64{1, 1, 1}},
		{"balanced", Options{ClassWeight: WeightBalanced}, []float64{8.0 / 18, 8.0 / 6, 1}},
		{"half-balanced", Options{ClassWeight: WeightBalanced, BalancePow: 0.5}, []float64{math.Sqrt(8.0 / 18), math.Sqrt(8.0 / 6), 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classWeights(d, rows, tt.opt.withDefaults())
			for c := range got {
				if math.Abs(got[c]-tt.want[c]) > 1e-12 {
					t.Errorf("class weights %v, want %v", got, tt.want)
					break
				}
			}
		})
	}
}
