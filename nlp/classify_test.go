package nlp

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"minyi/domain"
	"minyi/learn"

	"minyi/internal/cputime"
)

func mustClassifiers(tb testing.TB) *Classifiers {
	tb.Helper()
	c, err := DefaultClassifiers()
	if err != nil {
		tb.Fatalf("DefaultClassifiers: %v", err)
	}
	return c
}

// featureTexts cover the shapes the extractor must hash exactly as it spells them.
var featureTexts = []struct{ text string }{
	{""},
	{"A市西湖建筑集团占道施工有安全隐患\n每天上下班期间人流车流极多！"},
	{"ＡＢＣ１２３ 全角　空格\t和 Tab"},
	{"invalid \xff\xfe utf8 与 emoji 😀"},
	{"单"},
	{"标题\xff有坏字节\n正文\n第二行"},
	{"\n无标题的正文"},
	{"不好不不没有，别~别 无"},
	{"网约车乱收费\n学校招生，医患纠纷和网约车"},
}

func TestFeaturesMatchHashes(t *testing.T) {
	c := mustClassifiers(t)
	a := mustAnalyzer(t)
	for _, tt := range featureTexts {
		for _, task := range Tasks() {
			t.Run(task+"/"+tt.text, func(t *testing.T) {
				words := a.Words(tt.text)
				want := learn.HashAll(nil, Features(task, tt.text, words))
				got := featureHashes(specFor(task), tt.text, words, nil)
				if !slices.Equal(got, want) {
					t.Errorf("hashes of Features (%d) differ from featureHashes (%d)", len(want), len(got))
				}
				var fb featureBuf
				fb.extract(c.union, c.priors, tt.text, words)
				if got := fb.assemble(specFor(task), nil); !slices.Equal(got, want) {
					t.Errorf("the task's features differ when extracted with the other tasks' (%d, want %d)", len(got), len(want))
				}
			})
		}
	}
}

// TestCJKPunct checks the punctuation bits negBreak uses for the CJK Symbols and Punctuation
// block against unicode.IsPunct, the definition.
func TestCJKPunct(t *testing.T) {
	for r := rune(0x3000); r < 0x3040; r++ {
		if got, want := negBreak(r), unicode.IsPunct(r); got != want {
			t.Errorf("negBreak(%U %q) = %v, want %v", r, r, got, want)
		}
	}
}

func TestFeaturesContent(t *testing.T) {
	got := Features(TaskSentiment, "好吃！Ｏk", []string{"好吃", "ok"})
	for _, want := range []string{"w:好吃", "w:ok", "b:好吃|ok", "c:好", "c:好吃", "c:好吃!", "c:!", "c:!ok", "c:ok"} {
		if !slices.Contains(got, want) {
			t.Errorf("Features lacks %q: %q", want, got)
		}
	}
	neg := Features(TaskSentiment, "不太好吃，没有 味道", nil)
	for _, want := range []string{"n:太", "n:太好", "n:好", "n:好吃", "n:吃", "n:有"} {
		if !slices.Contains(neg, want) {
			t.Errorf("Features(sentiment) lacks negation feature %q: %q", want, neg)
		}
	}
	for _, bad := range []string{"n:吃,", "n:味", "n:有味", "n:不"} {
		if slices.Contains(neg, bad) {
			t.Errorf("negation scopes end at punctuation and white space and hold no negator: %q in %q", bad, neg)
		}
	}
	title := Features(TaskClassify, "路灯不亮\n小区路灯坏了", nil)
	for _, want := range []string{"t:路", "t:路灯", "t:路灯不", "c:路灯", "c:小区"} {
		if !slices.Contains(title, want) {
			t.Errorf("Features(classify) lacks %q: %q", want, title)
		}
	}
	tax := Features(TaskClassify, "网约车乱停\n学校招生", []string{"网约车", "乱停", "学校", "招生"})
	for _, want := range []string{"k:交通运输", "K:交通运输", "k:教育文体"} {
		if !slices.Contains(tax, want) {
			t.Errorf("Features(classify) lacks taxonomy feature %q: %q", want, tax)
		}
	}
	if slices.Contains(tax, "K:教育文体") {
		t.Errorf("招生 is not in the title: %q", tax)
	}
	if slices.Contains(title, "t:小") || slices.Contains(title, "t:路灯不亮") {
		t.Errorf("title n-grams must come from the first line only, 1-3 runes: %q", title)
	}
	if slices.Contains(Features(TaskSentiment, "好 吃", nil), "c:好 ") || slices.Contains(Features(TaskSentiment, "好 吃", nil), "c:好吃") {
		t.Error("character n-grams must not cross white space")
	}
	// Length buckets count runes (an invalid byte as one): 4 → coarse 0, fine 0;
	// 10 → coarse 1 (≥10), fine 2 (≥5, ≥10); 200 → the last buckets. Clauses are
	// runs between punctuation and white space: 0, 1, 2-3, 4-6, 7+.
	for _, tt := range []struct {
		text string
		want []string
	}{
		{"好吃ÿ!", []string{"L:c0", "L:f0", "L:k1"}},
		{"一二三四五六七八九十", []string{"L:c1", "L:f2", "L:k1"}},
		{strings.Repeat("长", 200), []string{"L:c4", "L:f10", "L:k1"}},
		{"！！ ？", []string{"L:c0", "L:f0", "L:k0"}},
		{"太好了！真的 太好了，哈哈。", []string{"L:c1", "L:f2", "L:k3"}},
		{"一，二，三，四，五，六，七", []string{"L:c1", "L:f2", "L:k4"}},
	} {
		got := Features(TaskEmotion, tt.text, nil)
		if !slices.Equal(got[len(got)-3:], tt.want) {
			t.Errorf("Features(emotion, %q) ends %q, want the length and clause buckets %q", tt.text, got[len(got)-3:], tt.want)
		}
	}
	if slices.ContainsFunc(Features(TaskSentiment, "好吃", nil), func(f string) bool { return strings.HasPrefix(f, "L:") }) {
		t.Error("only the emotion model reads length buckets")
	}
}

func FuzzFeatures(f *testing.F) {
	for _, tt := range featureTexts {
		f.Add(tt.text, "词 语")
	}
	f.Fuzz(func(t *testing.T, text, ws string) {
		words := strings.Fields(ws)
		for _, task := range Tasks() {
			want := learn.HashAll(nil, Features(task, text, words))
			if got := featureHashes(specFor(task), text, words, nil); !slices.Equal(got, want) {
				t.Fatalf("%s: hashes differ for %q", task, text)
			}
		}
	})
}

func TestApply(t *testing.T) {
	a := mustAnalyzer(t)
	c := mustClassifiers(t)
	tests := []struct {
		name, text   string
		category     string
		negativeLike bool
	}{
		{"noise complaint", "小区旁边工地夜间施工噪音扰民严重\n附近工地每天晚上十二点还在施工，噪音太大，严重影响居民休息，多次投诉无果，强烈要求相关部门处理！", "环境保护", true},
		{"pension", "关于养老保险缴费年限的咨询\n我在A市工作十五年，社保养老保险缴费年限如何计算，退休后养老金怎么领取？", "劳动和社会保障", false},
		{"school", "A7县中学补课收费问题\n学校在寒假期间组织学生集体补课并收取补课费，违反教育局规定，希望教育部门查处。", "教育文体", false},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var an domain.Analysis
			c.Apply(tt.text, a.Words(tt.text), &an)
			if !slices.Contains(c.category.Labels(), an.Category) || an.CategoryProb <= 0 || an.CategoryProb > 1 {
				t.Errorf("category %q prob %v", an.Category, an.CategoryProb)
			}
			if tt.category != "" && an.Category != tt.category {
				t.Errorf("category %q (p=%.2f), want %q", an.Category, an.CategoryProb, tt.category)
			}
			switch {
			case an.SentimentProb < 0 || an.SentimentProb > 1:
				t.Errorf("sentiment prob %v", an.SentimentProb)
			case an.SentimentProb > negativeAbove && an.Sentiment != domain.SentimentNegative,
				an.SentimentProb < positiveBelow && an.Sentiment != domain.SentimentPositive,
				an.SentimentProb >= positiveBelow && an.SentimentProb <= negativeAbove && an.Sentiment != domain.SentimentNeutral:
				t.Errorf("sentiment %q does not match P(负面)=%.2f", an.Sentiment, an.SentimentProb)
			}
			if tt.negativeLike && an.Sentiment != domain.SentimentNegative {
				t.Errorf("complaint read as %q (P(负面)=%.2f)", an.Sentiment, an.SentimentProb)
			}
			if !slices.Contains(c.emotion.Labels(), an.Emotion) {
				t.Errorf("emotion %q not a label", an.Emotion)
			}
		})
	}
	var an domain.Analysis
	c.Apply("服务很好，非常满意，感谢工作人员的耐心帮助！", a.Words("服务很好，非常满意，感谢工作人员的耐心帮助！"), &an)
	if an.Sentiment != domain.SentimentPositive {
		t.Errorf("praise read as %q (P(负面)=%.2f)", an.Sentiment, an.SentimentProb)
	}
}

// tinyCategory trains a category model with labels the default lacks, to see overrides take effect.
func tinyCategory(tb testing.TB) *learn.Model {
	tb.Helper()
	var data []LabeledText
	for range 20 {
		data = append(data,
			LabeledText{Text: "路灯不亮", Words: []string{"路灯", "不亮"}, Label: "照明"},
			LabeledText{Text: "井盖丢失", Words: []string{"井盖", "丢失"}, Label: "市政"})
	}
	m, err := TrainTask(TaskClassify, data, learn.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestLoadClassifiers(t *testing.T) {
	dir := t.TempDir()
	if err := SaveModel(dir, TaskClassify, tinyCategory(t)); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "classify.bin" {
		t.Errorf("model dir holds %v, want only classify.bin", entries)
	}
	c, err := LoadClassifiers(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.category.Labels(); !slices.Equal(got, []string{"市政", "照明"}) {
		t.Errorf("category labels %v: bureau model not used", got)
	}
	def := mustClassifiers(t)
	if !slices.Equal(c.emotion.Labels(), def.emotion.Labels()) || !slices.Equal(c.sentiment.Labels(), def.sentiment.Labels()) {
		t.Error("missing bureau models must fall back to the defaults")
	}
	var an domain.Analysis
	c.Apply("路灯不亮", []string{"路灯", "不亮"}, &an)
	if an.Category != "照明" {
		t.Errorf("category %q, want 照明", an.Category)
	}

	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "emotion.bin"), []byte("MNYL\x01\x00junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadClassifiers(bad); err == nil {
		t.Error("a damaged model file must be reported, not ignored")
	}
}

func TestTrainTaskErrors(t *testing.T) {
	tests := []struct {
		name string
		task string
		data []LabeledText
		want error
	}{
		{"unknown task", "topic", []LabeledText{{Text: "a", Label: "x"}}, ErrUnknownTask},
		{"no data", TaskEmotion, nil, learn.ErrNoData},
		{"one label", TaskSentiment, []LabeledText{{Text: "好", Label: "1"}, {Text: "棒", Label: "1"}}, learn.ErrOneClass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := TrainTask(tt.task, tt.data, learn.Options{}); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	if err := SaveModel(t.TempDir(), "topic", tinyCategory(t)); !errors.Is(err, ErrUnknownTask) {
		t.Errorf("SaveModel unknown task: %v", err)
	}
}

func TestEvalTask(t *testing.T) {
	// A held-out half of a tiny two-topic set: EvalTask must train on one part
	// and score the other with normalised labels.
	var train, test []LabeledText
	for i := range 40 {
		d := []LabeledText{
			{Text: "饭菜很好吃，送餐很快", Words: []string{"饭菜", "好吃", "送餐", "快"}, Label: "1"},
			{Text: "送餐太慢，饭菜都凉了", Words: []string{"送餐", "太慢", "饭菜", "凉"}, Label: "0"},
		}
		if i%4 == 0 {
			test = append(test, d...)
		} else {
			train = append(train, d...)
		}
	}
	r, m, err := EvalTask(TaskSentiment, train, test, learn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.N != len(test) || r.Accuracy != 1 || !slices.Equal(m.Labels(), []string{domain.SentimentPositive, domain.SentimentNegative}) {
		t.Errorf("report %+v, labels %v", r, m.Labels())
	}
	cv, err := CrossValidateTask(TaskSentiment, append(train, test...), 5, learn.Options{})
	if err != nil || cv.Accuracy != 1 {
		t.Errorf("cross-validation %+v %v", cv, err)
	}
	if _, err := CrossValidateTask("topic", train, 5, learn.Options{}); !errors.Is(err, ErrUnknownTask) {
		t.Errorf("unknown task: %v", err)
	}
}

func TestNormalizeLabel(t *testing.T) {
	tests := []struct{ task, in, want string }{
		{TaskSentiment, "0", domain.SentimentNegative},
		{TaskSentiment, " 1 ", domain.SentimentPositive},
		{TaskSentiment, "Negative", domain.SentimentNegative},
		{TaskEmotion, "neural", "无情绪"},
		{TaskEmotion, "angry", "愤怒"},
		{TaskClassify, "城乡建设 ", "城乡建设"},
	}
	for _, tt := range tests {
		t.Run(tt.task+tt.in, func(t *testing.T) {
			if got := NormalizeLabel(tt.task, tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestEvaluateDefaultModels checks that the shipped models load and
// reproduce their training labels far above chance (a smoke test of the
// generator; the honest figures are TestClassifierCV's).
func TestEvaluateDefaultModels(t *testing.T) {
	c := mustClassifiers(t)
	for _, job := range []struct{ task, set string }{{TaskClassify, "teddy2020c_classify"}, {TaskEmotion, "smp2020_ewect_virus"}} {
		data := loadLabeled(t, job.set)
		m, _ := c.Model(job.task)
		r := learn.Evaluate(m, Examples(job.task, data[:min(len(data), 1000)]))
		if r.Accuracy < 0.9 || math.IsNaN(r.LogLoss) {
			t.Errorf("%s on its own training data: %+v", job.task, r)
		}
	}
}

func BenchmarkApply(b *testing.B) {
	a := mustAnalyzer(b)
	c := mustClassifiers(b)
	text := "A市A3区某小区门口道路长期被占道经营的摊贩占据\n" + strings.Repeat("每天早上六点开始，小区门口的道路两旁摆满了卖菜的摊位，车辆无法通行，垃圾遍地，噪音扰民，希望城管部门尽快处理！", 3)
	words := a.Words(text)
	b.ReportMetric(float64(len([]rune(text))), "runes")
	var an domain.Analysis
	b.ReportAllocs()
	cpu := cputime.Used()
	for b.Loop() {
		c.Apply(text, words, &an)
	}
	b.ReportMetric(float64(cputime.Used()-cpu)/float64(b.N), "cpu-ns/op")
}

func BenchmarkDefaultClassifiers(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DefaultClassifiers(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrainSentiment50k trains the sentiment model on the 50,189 reviews
// of online_shopping_10_cats (segmentation and feature extraction excluded);
// the target is ≤ 30 s per training.
func BenchmarkTrainSentiment50k(b *testing.B) {
	ex := Examples(TaskSentiment, loadLabeled(b, "online_shopping_10_cats"))
	b.ResetTimer()
	cpu := cputime.Used()
	for b.Loop() {
		if _, err := learn.Train(ex, TaskOptions(TaskSentiment)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cputime.Used()-cpu)/float64(b.N)/1e9, "cpu-s/op")
	b.ReportMetric(float64(len(ex)), "examples")
}
