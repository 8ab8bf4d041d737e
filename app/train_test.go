package app

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"minyi/casework"
	"minyi/domain"
	"minyi/nlp"
	"minyi/route"
)

// nlpTestdata holds the small labelled files the CLI tests use too: three matter categories
// written for these tests (市容环卫, 噪音扰民, 物业管理), which the shipped model does not know.
const nlpTestdata = "../testdata/nlp"

// restoreDefaultClassifiers puts the shipped models back into the shared analyzer after a
// test that swapped in retrained ones.
func restoreDefaultClassifiers(tb testing.TB) {
	tb.Helper()
	a := analyzer(tb)
	tb.Cleanup(func() {
		cl, err := nlp.DefaultClassifiers()
		if err != nil {
			tb.Error(err)
			return
		}
		a.SetClassifiers(cl)
	})
}

// readItems reads the labelled test file as items (title, body, id, label and department).
func readItems(tb testing.TB, name string) []domain.Item {
	tb.Helper()
	f, err := os.Open(filepath.Join(nlpTestdata, name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []domain.Item
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r struct{ ID, Title, Body, Label, Department string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatal(err)
		}
		it := item(r.ID, r.Title, r.Body)
		it.Label, it.Department = r.Label, r.Department
		out = append(out, it)
	}
	return out
}

func TestLabelOf(t *testing.T) {
	tests := []struct {
		name  string
		it    domain.Item
		field string
		want  string
	}{
		{"label column in Item.Label", domain.Item{Label: "城乡建设"}, "label", "城乡建设"},
		{"label column lost to category", domain.Item{Label: "书籍", Extra: map[string]string{"label": "1"}}, "label", "1"},
		{"category column in Item.Label", domain.Item{Label: "书籍", Extra: map[string]string{"label": "1"}}, "category", "书籍"},
		{"department", domain.Item{Department: "上海市交通委员会"}, "department", "上海市交通委员会"},
		{"Chinese alias", domain.Item{Department: "市住建局"}, "承办单位", "市住建局"},
		{"unknown column in Extra", domain.Item{Extra: map[string]string{"Emotion": "happy"}}, "emotion", "happy"},
		{"missing column", domain.Item{Label: "城乡建设"}, "emotion", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := labelOf(&tt.it, tt.field); got != tt.want {
				t.Errorf("labelOf(%+v, %q) = %q, want %q", tt.it, tt.field, got, tt.want)
			}
		})
	}
}

func TestReadLabeled(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	csv := filepath.Join(dir, "letters.csv")
	if err := os.WriteFile(csv, []byte("标题,内容,承办单位\n路灯不亮,文昌一路路灯坏了,市城管局\n噪音,,\n井盖丢失,河南岸井盖丢失,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, field string
		wantN, wantRows   int
		wantFirst         string
		wantErr           error
	}{
		{"sentiment labels behind a category column", filepath.Join(nlpTestdata, "sentiment.jsonl"), "label", 60, 60, "1", nil},
		{"the category column itself", filepath.Join(nlpTestdata, "sentiment.jsonl"), "category", 60, 60, "外卖", nil},
		{"categories", filepath.Join(nlpTestdata, "classify_train.jsonl"), "label", 66, 66, "市容环卫", nil},
		{"departments from a Chinese CSV, unlabelled rows skipped", csv, "department", 1, 3, "市城管局", nil},
		{"no such column", filepath.Join(nlpTestdata, "classify_train.jsonl"), "emotion", 0, 0, "", ErrTooFewLabels},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, skips, err := ReadLabeled(ctx, tt.path, tt.field)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if len(rows) != tt.wantN {
				t.Fatalf("%d rows, want %d", len(rows), tt.wantN)
			}
			if tt.wantN > 0 && skips.Unlabelled+len(rows) != tt.wantRows {
				t.Errorf("%d rows + %d unlabelled, want %d rows read", len(rows), skips.Unlabelled, tt.wantRows)
			}
			if tt.wantN > 0 && rows[0].Label != tt.wantFirst {
				t.Errorf("first label %q, want %q", rows[0].Label, tt.wantFirst)
			}
		})
	}
	if _, _, err := ReadLabeled(ctx, filepath.Join(dir, "missing.jsonl"), "label"); err == nil || !strings.Contains(err.Error(), "找不到文件") {
		t.Errorf("missing file: %v", err)
	}
}

func TestTrainTextSavesALoadableModel(t *testing.T) {
	ctx := context.Background()
	a := analyzer(t)
	rows, _, err := ReadLabeled(ctx, filepath.Join(nlpTestdata, "classify_train.jsonl"), "label")
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	res, _, err := TrainText(ctx, a, nlp.TaskClassify, rows, ModelsDir(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"噪音扰民", "市容环卫", "物业管理"}
	if res.N != 66 || !slices.Equal(res.Labels, want) || res.Path != filepath.Join(data, "models", "classify.bin") {
		t.Fatalf("result %+v", res)
	}
	cl, ok, err := TrainedClassifiers(data)
	if err != nil || !ok {
		t.Fatalf("TrainedClassifiers: ok=%v err=%v", ok, err)
	}
	m, err := cl.Model(nlp.TaskClassify)
	if err != nil || !slices.Equal(m.Labels(), want) {
		t.Fatalf("loaded model labels %v, %v", m.Labels(), err)
	}
	if _, ok, err := TrainedClassifiers(t.TempDir()); ok || err != nil {
		t.Errorf("empty data dir: ok=%v err=%v", ok, err)
	}
	if _, _, err := TrainText(ctx, a, TaskRoute, rows, ModelsDir(data)); !errors.Is(err, ErrUnknownTask) {
		t.Errorf("route through TrainText: %v", err)
	}
}

func TestEvalTextScoresHeldOutFile(t *testing.T) {
	ctx := context.Background()
	a := analyzer(t)
	train, _, err := ReadLabeled(ctx, filepath.Join(nlpTestdata, "classify_train.jsonl"), "label")
	if err != nil {
		t.Fatal(err)
	}
	test, _, err := ReadLabeled(ctx, filepath.Join(nlpTestdata, "classify_test.jsonl"), "label")
	if err != nil {
		t.Fatal(err)
	}
	res, err := EvalText(ctx, a, nlp.TaskClassify, train, test)
	if err != nil {
		t.Fatal(err)
	}
	// Three categories with distinct vocabularies: far above the 1/3 of guessing.
	if res.NTrain != 66 || res.NTest != 18 || res.Accuracy < 0.8 || res.MacroF1 < 0.8 {
		t.Errorf("eval %+v", res)
	}
	for _, rows := range [][]LabeledItem{train, test} {
		for i := range rows {
			rows[i].Label = rows[i].Item.Department
		}
	}
	rep, err := EvalRoute(ctx, a, train, test)
	if err != nil {
		t.Fatal(err)
	}
	if rep.NTrain != 66 || rep.NTest != 18 || rep.Accuracy < 0.8 || rep.AccAt3 < rep.Accuracy {
		t.Errorf("route eval %+v", rep)
	}
}

func TestRetrainFromStoredLabelsAndCorrections(t *testing.T) {
	ctx := context.Background()
	restoreDefaultClassifiers(t)
	c := mustCore(t)
	items := readItems(t, "classify_train.jsonl")
	// The last ten arrive without a label; an officer's 改分类 gives them one.
	corrected := map[string]string{}
	for i := len(items) - 10; i < len(items); i++ {
		corrected[items[i].SourceID] = items[i].Label
		items[i].Label = ""
	}
	ids := mustIngest(t, c, items...)
	for i, id := range ids[len(ids)-10:] {
		it := items[len(items)-10+i]
		if _, err := c.Act(ctx, id, ActRecategorise, corrected[it.SourceID], "人工更正", "测试员"); err != nil {
			t.Fatal(err)
		}
	}
	stored, err := c.StoredLabels(ctx, nlp.TaskClassify)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != len(items) {
		t.Fatalf("%d labelled records, want %d (56 imported + 10 corrected)", len(stored), len(items))
	}
	res, err := c.Retrain(ctx, nlp.TaskClassify)
	if err != nil {
		t.Fatal(err)
	}
	if res.N != 66 || len(res.Labels) != 3 {
		t.Fatalf("retrain %+v", res)
	}
	if _, err := os.Stat(res.Path); err != nil {
		t.Fatal(err)
	}
	// The running analyzer now uses the new model: it answers with the bureau's categories.
	an := c.NLP.Analyze("物业乱收费", "小区物业擅自上涨物业费，维修基金账目也不公开，业主意见很大。")
	if an.Category != "物业管理" {
		t.Errorf("after retrain the category is %q, want 物业管理", an.Category)
	}
}

func TestRetrainRefuses(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	items := readItems(t, "classify_train.jsonl")[:20]
	mustIngest(t, c, items...)
	tests := []struct {
		task    string
		wantErr error
		wantMsg string
	}{
		{nlp.TaskClassify, ErrTooFewLabels, "只有 20 条"},
		{TaskRoute, ErrTooFewLabels, "至少需要 50 条"},
		{nlp.TaskSentiment, ErrNoStoredLabels, "--data"},
		{"topic", ErrUnknownTask, "classify"},
	}
	for _, tt := range tests {
		t.Run(tt.task, func(t *testing.T) {
			_, err := c.Retrain(ctx, tt.task)
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Retrain(%s) = %v, want %v mentioning %q", tt.task, err, tt.wantErr, tt.wantMsg)
			}
		})
	}
	// The bound method hands the officer the same sentence.
	_, err := NewApp(c, context.Background).Retrain(nlp.TaskClassify)
	if err == nil || !strings.Contains(err.Error(), "至少需要 50 条") {
		t.Errorf("App.Retrain: %v", err)
	}
}

func TestRetrainRouterSavesAndReloads(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	router := route.New(nil, nil)
	c.Router = router
	mustIngest(t, c, readItems(t, "classify_train.jsonl")...)
	res, err := c.Retrain(ctx, TaskRoute)
	if err != nil {
		t.Fatal(err)
	}
	if res.N != 66 || len(res.Labels) != 3 || filepath.Base(res.Path) != RouterModelFile {
		t.Fatalf("retrain %+v", res)
	}
	fresh := route.New(nil, nil)
	ok, err := LoadRouterModel(fresh, c.DataDir)
	if err != nil || !ok {
		t.Fatalf("LoadRouterModel: ok=%v err=%v", ok, err)
	}
	it := domain.Item{Title: "广场舞噪音", Body: "小区广场舞音响声音太大，老人孩子无法休息。"}
	an := c.NLP.Analyze(it.Title, it.Body)
	for name, r := range map[string]*route.Router{"live": router, "reloaded": fresh} {
		s := r.Suggest(&it, &an)
		if len(s) == 0 || s[0].Department != "惠州市生态环境局" {
			t.Errorf("%s router suggests %+v, want 惠州市生态环境局 first", name, s)
		}
	}
	// A damaged file is refused with a message saying what to do.
	if err := os.WriteFile(res.Path, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadRouterModel(route.New(nil, nil), c.DataDir); err == nil || !strings.Contains(err.Error(), "minyi train route") {
		t.Errorf("damaged route.bin: %v", err)
	}
}

func TestLoadRoutingConfig(t *testing.T) {
	dir := t.TempDir()
	d, r, err := LoadRoutingConfig(dir)
	if err != nil || d == nil || r == nil {
		t.Fatalf("defaults: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, RulesFile), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadRoutingConfig(dir); err == nil || !strings.Contains(err.Error(), RulesFile) {
		t.Errorf("bad rules file: %v", err)
	}
}

// TestRouteHistoryCarriesReplies: the history a router learns from carries each row's reply
// (from a reply column, or a case's latest 答复) with its analysis; the letters a router is
// scored on never do.
func TestRouteHistoryCarriesReplies(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	const reply = "经查，翠湖苑小区门口确有流动摊贩占道经营，已安排执法队员每晚巡查。"
	file := filepath.Join(t.TempDir(), "history.jsonl")
	lines := `{"title":"占道经营","body":"小区门口流动摊贩占道经营","department":"惠州市惠城区江北街道办事处","回复内容":"` + reply + `"}
{"title":"拖欠工资","body":"公司拖欠工资三个月","department":"惠州市人力资源和社会保障局"}
`
	if err := os.WriteFile(file, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, _, err := ReadLabeled(ctx, file, "department")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Reply != reply || rows[1].Reply != "" {
		t.Fatalf("ReadLabeled rows %+v, want the reply column read into row 0 only", rows)
	}
	hist, err := RouteHistory(ctx, c.NLP, rows)
	if err != nil {
		t.Fatal(err)
	}
	if hist[0].Reply != reply || !slices.Contains(hist[0].ReplyAnalysis.Words, "占道经营") {
		t.Errorf("history row 0: reply %q, words %v", hist[0].Reply, hist[0].ReplyAnalysis.Words)
	}
	if hist[1].Reply != "" || len(hist[1].ReplyAnalysis.Words) != 0 {
		t.Errorf("history row 1 has a reply it was not given: %q", hist[1].Reply)
	}
	scored, err := RouteExamples(ctx, c.NLP, rows)
	if err != nil {
		t.Fatal(err)
	}
	if scored[0].Reply != "" {
		t.Errorf("a letter to be scored carries its reply %q", scored[0].Reply)
	}

	several := domain.Item{Extra: map[string]string{"处理结果": "已办结", "Reply ": " 答复正文 ", "回复内容": "另一份"}}
	for range 20 { // map order must not choose
		if got := replyOf(&several); got != "答复正文" {
			t.Fatalf("replyOf with several reply columns = %q, want the first alias's (reply)", got)
		}
	}

	events := []domain.Event{{Action: casework.ActReply, Reason: "旧答复"}, {Action: casework.ActVisit}, {Action: casework.ActReply, Reason: reply}}
	if got := latestReply(events); got != reply {
		t.Errorf("latestReply = %q, want the latest 答复's text", got)
	}
	if got := latestReply([]domain.Event{{Action: casework.ActReply, Reason: "旧答复"}, {Action: casework.ActReply}}); got != "旧答复" {
		t.Errorf("latestReply = %q, want an empty 答复 passed over for the one before it", got)
	}
	if got := latestReply([]domain.Event{{Action: casework.ActReply}}); got != "" {
		t.Errorf("an empty 答复 gave a reply: %q", got)
	}
}
