package monitor

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"minyi/domain"
)

// synth generates n analysed messages over days days: each belongs to one of topics planted
// topics (a few distinctive words, a district, a 1–2 week life) plus Zipf-distributed background
// words, so clustering has a known answer and realistic noise. Deterministic for a seed.
type synth struct {
	recs  []*domain.Record
	truth []int // planted topic of recs[i]
}

func genMessages(tb testing.TB, n, topics, days int, seed uint64) synth {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	const vocab = 20000
	zipf := rand.NewZipf(rng, 1.1, 2, vocab-1)
	districts := []string{"惠城区", "惠阳区", "博罗县", "惠东县", "龙门县", "大亚湾区", "仲恺区"}
	type plant struct {
		words    []string
		district string
		start    time.Time
		span     int
	}
	base := time.Date(2026, 1, 1, 8, 0, 0, 0, cst)
	ps := make([]plant, topics)
	for i := range ps {
		p := plant{district: districts[rng.IntN(len(districts))], start: base.AddDate(0, 0, rng.IntN(max(days-14, 1))), span: 3 + rng.IntN(12)}
		for k := 0; k < 6; k++ {
			p.words = append(p.words, fmt.Sprintf("题%d词%d", i, k))
		}
		ps[i] = p
	}
	s := synth{recs: make([]*domain.Record, n), truth: make([]int, n)}
	sent := []string{domain.SentimentNegative, domain.SentimentNeutral, domain.SentimentPositive}
	for i := 0; i < n; i++ {
		ti := rng.IntN(topics)
		p := ps[ti]
		var words []string
		for k := 0; k < 30; k++ {
			words = append(words, fmt.Sprintf("背景%d", zipf.Uint64()))
		}
		for _, k := range rng.Perm(len(p.words))[:4] {
			words = append(words, p.words[k])
		}
		r := &domain.Record{
			ID: fmt.Sprintf("M%06d", i+1), Seq: uint64(i + 1),
			Item: domain.Item{
				Title: fmt.Sprintf("关于%s%s的问题", p.words[0], p.words[1]),
				Time:  p.start.Add(time.Duration(rng.IntN(p.span*24)) * time.Hour), Likes: rng.IntN(3),
			},
			Analysis: domain.Analysis{
				Words: words, Keywords: p.words[:2], District: p.district,
				Sentiment: sent[rng.IntN(3)], Category: "城乡建设",
			},
		}
		s.recs[i], s.truth[i] = r, ti
	}
	return s
}
