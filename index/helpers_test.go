package index

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"minyi/domain"
)

// toySeg is a tiny forward-maximum-matching segmenter over a fixed dictionary, standing in for gse
// (which is far too heavy to load in unit tests). Characters outside the dictionary become words
// of their own; Latin/digit runs stay whole. Output is lower-cased like gse's.
type toySeg struct{ dict map[string]bool }

func newToySeg() toySeg {
	words := strings.Fields(`渣土车 渣土 噪音 扰民 夜间 施工 道路 破损 路灯 不亮 小区 物业 停车 收费 垃圾 清运 油烟
		污染 占道 经营 违章 建筑 积水 排水 管道 供暖 不热 拖欠 工资 学校 教育 食品 安全 医院 公交 线路 噪声
		投诉 反映 问题 希望 尽快 处理 多次 隐患 严重 影响 居民 生活 休息 解决 部门 相关 车辆 晚上 凌晨 热线
		市民 街道 社区 环境 卫生 空气 质量 超标 工地 扬尘 交通 拥堵 信号灯 红绿灯`)
	d := make(map[string]bool, len(words))
	for _, w := range words {
		d[w] = true
	}
	return toySeg{dict: d}
}

// Words implements Segmenter.
func (s toySeg) Words(text string) []string {
	var out []string
	for _, run := range scriptRuns(strings.ToLower(text)) {
		if !run.cjk {
			for _, f := range strings.FieldsFunc(run.text, func(r rune) bool { return !isWordRune(r) && r != '.' }) {
				out = append(out, f)
			}
			continue
		}
		rs := []rune(run.text)
		for i := 0; i < len(rs); {
			n := 1
			for l := min(4, len(rs)-i); l >= 2; l-- {
				if s.dict[string(rs[i:i+l])] {
					n = l
					break
				}
			}
			out = append(out, string(rs[i:i+n]))
			i += n
		}
	}
	return out
}

// mustOpen opens a fresh index in a temporary directory, closed when the test ends.
func mustOpen(tb testing.TB) *Index {
	tb.Helper()
	ix, err := Open(context.Background(), tb.TempDir(), newToySeg())
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() {
		if err := ix.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return ix
}

// mustPut indexes recs or fails the test.
func mustPut(tb testing.TB, ix *Index, recs ...*domain.Record) {
	tb.Helper()
	if err := ix.Put(context.Background(), recs); err != nil {
		tb.Fatalf("put: %v", err)
	}
}

// mustSearch runs q or fails the test.
func mustSearch(tb testing.TB, ix *Index, q Query) *Result {
	tb.Helper()
	res, err := ix.Search(context.Background(), q)
	if err != nil {
		tb.Fatalf("search %+v: %v", q, err)
	}
	return res
}

// ids lists the hit IDs of a result in order.
func ids(res *Result) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out
}

// recOpt adjusts a test record.
type recOpt func(*domain.Record)

// newRec builds a record the way the pipeline would, segmenting with toySeg.
func newRec(seq uint64, title, body string, opts ...recOpt) *domain.Record {
	r := &domain.Record{
		ID:  fmt.Sprintf("M%06d", seq),
		Seq: seq,
		Item: domain.Item{
			Channel: domain.ChannelHotline,
			Title:   title,
			Body:    body,
			Time:    time.Date(2024, 3, 1, 9, 0, 0, 0, cst).Add(time.Duration(seq) * time.Hour),
		},
		Status: domain.StatusNew,
	}
	r.Analysis.Words = newToySeg().Words(title + " " + body)
	r.Analysis.Category = "城乡建设"
	r.Analysis.Sentiment = domain.SentimentNegative
	for _, o := range opts {
		o(r)
	}
	return r
}
