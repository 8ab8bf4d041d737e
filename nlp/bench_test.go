package nlp

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"minyi/domain"

	"minyi/internal/cputime"
)

// benchMessages returns messages of about 200 runes: real ones from the evaluation data when
// it is there, else the hand-written test messages padded to length.
func benchMessages(tb testing.TB) []testMessage {
	var out []testMessage
	if f, err := os.Open(filepath.Join(sharedData, "teddy2020c_unlabeled", "train.jsonl")); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<22)
		for sc.Scan() && len(out) < 500 {
			var m testMessage
			if json.Unmarshal(sc.Bytes(), &m) == nil && len([]rune(m.Body)) >= 180 {
				m.Body = string([]rune(m.Body)[:180])
				out = append(out, m)
			}
		}
	}
	if len(out) == 0 {
		for _, m := range readMessages(tb) {
			for len([]rune(m.Body)) < 180 {
				m.Body += m.Body
			}
			m.Body = string([]rune(m.Body)[:180])
			out = append(out, m)
		}
	}
	return out
}

// BenchmarkAnalyze runs the whole NLP stage on one goroutine; msgs/s is the per-core rate.
func BenchmarkAnalyze(b *testing.B) {
	a := mustAnalyzer(b)
	msgs := benchMessages(b)
	runes := 0
	for _, m := range msgs {
		runes += len([]rune(m.Title + m.Body))
	}
	b.ReportAllocs()
	i := 0
	cpu0 := cputime.Used().Seconds()
	for b.Loop() {
		m := msgs[i%len(msgs)]
		a.Analyze(m.Title, m.Body)
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(i)/(cputime.Used().Seconds()-cpu0), "msgs/cpu-s")
	b.ReportMetric(float64(runes)/float64(len(msgs)), "runes/msg")
}

// BenchmarkSegment measures the search-mode segmentation alone.
func BenchmarkSegment(b *testing.B) {
	a := mustAnalyzer(b)
	msgs := benchMessages(b)
	i := 0
	b.ReportAllocs()
	cpu0 := cputime.Used().Seconds()
	for b.Loop() {
		m := msgs[i%len(msgs)]
		a.Segment(m.Body)
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(i)/(cputime.Used().Seconds()-cpu0), "msgs/cpu-s")
}

// BenchmarkAnalyzeStages splits the NLP stage of BenchmarkAnalyze into its parts, each on the
// same 200-rune messages and in CPU time per message: the segmentation, what this package reads
// from the tokens (words, places, keywords, urgency and matter; then places, keywords and the
// phrase scan alone) and the three classifiers (then their feature extraction alone).
func BenchmarkAnalyzeStages(b *testing.B) {
	a := mustAnalyzer(b)
	msgs := benchMessages(b)
	texts := make([]string, len(msgs))
	words := make([][]string, len(msgs))
	for i, m := range msgs {
		texts[i] = m.Title + "\n" + m.Body
		words[i] = a.Words(texts[i])
	}
	stage := func(name string, fn func(i int)) {
		b.Run(name, func(b *testing.B) {
			i := 0
			cpu0 := cputime.Used().Seconds()
			for b.Loop() {
				fn(i % len(msgs))
				i++
			}
			b.ReportMetric((cputime.Used().Seconds()-cpu0)/float64(i)*1e6, "cpu-µs/msg")
		})
	}
	sc := new(scratch)
	stage("segment", func(i int) { a.dict.cut(texts[i], sc) })
	stage("segment+read", func(i int) {
		m := msgs[i]
		segs := a.dict.cut(texts[i], sc)
		sc.fillTexts(segs)
		a.words(sc, segs)
		a.findPlaces(texts[i], sc, segs)
		a.keywords(sc, segs, len(m.Title), defaultKeywords)
		a.phrases.scan(sc, len([]rune(m.Title)))
	})
	// The parts of "read", each on messages cut beforehand.
	cuts := make([]*scratch, len(msgs))
	segsOf := make([][]seg, len(msgs))
	for i := range msgs {
		cuts[i] = new(scratch)
		segsOf[i] = a.dict.cut(texts[i], cuts[i])
		cuts[i].fillTexts(segsOf[i])
	}
	stage("places", func(i int) { a.findPlaces(texts[i], cuts[i], segsOf[i]) })
	stage("keywords", func(i int) { a.keywords(cuts[i], segsOf[i], len(msgs[i].Title), defaultKeywords) })
	stage("phrases", func(i int) { a.phrases.scan(cuts[i], len([]rune(msgs[i].Title))) })
	cl := a.classifiers.Load()
	if cl == nil {
		b.Skip("no classifiers")
	}
	var fb featureBuf
	stage("features", func(i int) { fb.extract(cl.union, cl.priors, texts[i], words[i]) })
	stage("classify", func(i int) {
		var an domain.Analysis
		cl.Apply(texts[i], words[i], &an)
	})
}
