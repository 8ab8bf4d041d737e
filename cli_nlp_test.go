package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// nlpData is where the small labelled files of these tests live: three matter categories
// (市容环卫, 噪音扰民, 物业管理) with departments, a sentiment file shaped like
// online_shopping_10_cats (a category column before the label) and a segmentation gold file.
func nlpData(name string) string { return filepath.Join("testdata", "nlp", name) }

// jsonLine decodes one JSON object line and checks it has exactly the keys of the contract.
func jsonLine(t *testing.T, out string, keys ...string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not one JSON line: %v\n%s", err, out)
	}
	var got []string
	for k := range m {
		got = append(got, k)
	}
	sort.Strings(got)
	want := slices.Clone(keys)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("keys %v, want %v", got, want)
	}
	return m
}

// TestNLPCommands drives train, eval and analyze in one data directory, in order: what is
// trained first is what analyze and the console use afterwards.
func TestNLPCommands(t *testing.T) {
	data := t.TempDir()
	d := []string{"--data", data}
	evalKeys := []string{"task", "n_train", "n_test", "accuracy", "macro_f1", "seconds"}
	trainKeys := []string{"task", "n", "labels", "seconds", "path"}
	steps := []struct {
		name  string
		args  []string
		code  int
		check func(t *testing.T, stdout, stderr string)
	}{
		{"eval classify --json", []string{"eval", "classify", "--train", nlpData("classify_train.jsonl"), "--test", nlpData("classify_test.jsonl"), "--json"}, 0,
			func(t *testing.T, out, _ string) {
				m := jsonLine(t, out, evalKeys...)
				if m["task"] != "classify" || m["n_train"] != 66.0 || m["n_test"] != 18.0 || m["accuracy"].(float64) < 0.8 || m["macro_f1"].(float64) < 0.8 {
					t.Errorf("eval classify: %v", m)
				}
			}},
		{"eval classify in Chinese", []string{"eval", "classify", "--train", nlpData("classify_train.jsonl"), "--test", nlpData("classify_test.jsonl")}, 0,
			func(t *testing.T, out, _ string) {
				if !strings.Contains(out, "分类模型评估：训练 66 条，测试 18 条；准确率") {
					t.Errorf("summary: %q", out)
				}
			}},
		{"eval sentiment reads label behind a category column", []string{"eval", "sentiment", "--train", nlpData("sentiment.jsonl"), "--test", nlpData("sentiment.jsonl"), "--json"}, 0,
			func(t *testing.T, out, _ string) {
				m := jsonLine(t, out, evalKeys...)
				if m["n_train"] != 60.0 || m["accuracy"].(float64) < 0.9 {
					t.Errorf("eval sentiment: %v", m)
				}
			}},
		{"eval emotion with --label naming the category column", []string{"eval", "emotion", "--train", nlpData("classify_train.jsonl"), "--test", nlpData("classify_test.jsonl"), "--label", "label", "--json"}, 0,
			func(t *testing.T, out, _ string) {
				if m := jsonLine(t, out, evalKeys...); m["task"] != "emotion" || m["n_test"] != 18.0 {
					t.Errorf("eval emotion: %v", m)
				}
			}},
		{"eval segment --json", []string{"eval", "segment", "--gold", nlpData("seg_gold.jsonl"), "--json"}, 0,
			func(t *testing.T, out, _ string) {
				m := jsonLine(t, out, "precision", "recall", "f1")
				if f := m["f1"].(float64); f < 0.5 || f > 1 {
					t.Errorf("segment f1 %v", m)
				}
			}},
		{"eval route --json", []string{"eval", "route", "--train", nlpData("classify_train.jsonl"), "--test", nlpData("classify_test.jsonl"), "--json"}, 0,
			func(t *testing.T, out, _ string) {
				m := jsonLine(t, out, "n_train", "n_test", "accuracy", "acc_at_3", "macro_f1", "seconds")
				if m["n_train"] != 66.0 || m["accuracy"].(float64) < 0.8 || m["acc_at_3"].(float64) < m["accuracy"].(float64) {
					t.Errorf("eval route: %v", m)
				}
			}},
		{"eval route in Chinese", []string{"eval", "route", "--train", nlpData("classify_train.jsonl"), "--test", nlpData("classify_test.jsonl")}, 0,
			func(t *testing.T, out, _ string) {
				if !strings.Contains(out, "前三命中率") {
					t.Errorf("summary: %q", out)
				}
			}},
		{"train classify from a file", []string{"train", "classify", "--data", nlpData("classify_train.jsonl")}, 0,
			func(t *testing.T, out, _ string) {
				m := jsonLine(t, out, trainKeys...)
				if m["n"] != 66.0 || len(m["labels"].([]any)) != 3 || m["path"] != filepath.Join(data, "models", "classify.bin") {
					t.Errorf("train classify: %v", m)
				}
				if _, err := os.Stat(m["path"].(string)); err != nil {
					t.Error(err)
				}
			}},
		{"train route from a file", []string{"train", "route", "--data", nlpData("classify_train.jsonl")}, 0,
			func(t *testing.T, out, _ string) {
				m := jsonLine(t, out, trainKeys...)
				if m["task"] != "route" || m["n"] != 66.0 || m["path"] != filepath.Join(data, "models", "route.bin") {
					t.Errorf("train route: %v", m)
				}
			}},
		{"analyze --json uses the trained models", []string{"analyze", "--json", "惠城区江北街道小区物业擅自上涨物业费，维修基金账目也不公开，业主意见很大。"}, 0,
			func(t *testing.T, out, _ string) {
				m := jsonLine(t, out, "text", "tokens", "places", "district", "street", "keywords", "category", "category_prob",
					"sentiment", "sentiment_prob", "emotion", "matter", "urgency_cues", "priority", "departments")
				if m["category"] != "物业管理" || m["district"] != "惠城区" {
					t.Errorf("category %v, district %v", m["category"], m["district"])
				}
				deps := m["departments"].([]any)
				if len(deps) == 0 || len(deps) > 3 {
					t.Fatalf("departments %v", deps)
				}
				found := false
				for _, x := range deps {
					found = found || x.(map[string]any)["department"] == "惠州市住房和城乡建设局"
				}
				if !found {
					t.Errorf("the department trained for 物业管理 is not among %v", deps)
				}
			}},
		{"analyze in Chinese", []string{"analyze", "工地夜间施工噪音很大，老人孩子无法休息"}, 0,
			func(t *testing.T, out, _ string) {
				for _, want := range []string{"分词：", "分类：噪音扰民", "建议部门：", "优先级："} {
					if !strings.Contains(out, want) {
						t.Errorf("missing %q in\n%s", want, out)
					}
				}
			}},
		{"analyze keywords with the general weights", []string{"analyze", "--json", keywordProbe}, 0,
			func(t *testing.T, out, _ string) {
				if kw := jsonKeywords(t, out); !slices.Contains(kw, "居民") {
					t.Errorf("keywords %v, want 居民 among them (else the steps below show nothing)", kw)
				}
			}},
		{"train keywords from an empty store refuses", []string{"train", "keywords"}, 1,
			func(t *testing.T, _, errOut string) {
				if !strings.Contains(errOut, "只有 0 条留言，至少需要 50 条") {
					t.Errorf("stderr %q", errOut)
				}
			}},
		{"train from an empty store refuses", []string{"train", "classify"}, 1,
			func(t *testing.T, _, errOut string) {
				if !strings.Contains(errOut, "只有 0 条记录带分类标注，至少需要 50 条") {
					t.Errorf("stderr %q", errOut)
				}
			}},
		{"import labelled messages", []string{"import", nlpData("classify_train.jsonl")}, 0, nil},
		{"import classifies with the trained model", []string{"search", "--json", "--limit", "100", "物业费"}, 0,
			func(t *testing.T, out, _ string) {
				var res struct {
					Hits []struct{ Category string }
				}
				if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Hits) == 0 {
					t.Fatalf("search: %v %s", err, out)
				}
				for _, h := range res.Hits {
					if h.Category != "物业管理" {
						t.Errorf("a message about 物业费 was classified %q, not by the trained model", h.Category)
					}
				}
			}},
		{"train classify from stored labels", []string{"train", "classify"}, 0,
			func(t *testing.T, out, _ string) {
				if m := jsonLine(t, out, trainKeys...); m["n"] != 66.0 {
					t.Errorf("train from store: %v", m)
				}
			}},
		{"train route from stored departments", []string{"train", "route"}, 0,
			func(t *testing.T, out, _ string) {
				if m := jsonLine(t, out, trainKeys...); m["n"] != 66.0 || len(m["labels"].([]any)) != 3 {
					t.Errorf("train route from store: %v", m)
				}
			}},
		{"train keywords from stored messages", []string{"train", "keywords"}, 0,
			func(t *testing.T, out, _ string) {
				m := jsonLine(t, out, trainKeys...)
				if m["task"] != "keywords" || m["n"] != 66.0 || !slices.Contains(m["labels"].([]any), any("居民")) || m["path"] != filepath.Join(data, "models", "idf.bin") {
					t.Errorf("train keywords from store: %v", m)
				}
			}},
		{"analyze uses the bureau's keyword weights", []string{"analyze", "--json", keywordProbe}, 0,
			func(t *testing.T, out, _ string) {
				if kw := jsonKeywords(t, out); slices.Contains(kw, "居民") || !slices.Contains(kw, "路灯") {
					t.Errorf("keywords %v, want 路灯 and not 居民, which every stored message has", kw)
				}
			}},
		{"train keywords from a file", []string{"train", "keywords", "--data", nlpData("sentiment.jsonl")}, 0,
			func(t *testing.T, out, _ string) {
				if m := jsonLine(t, out, trainKeys...); m["n"] != 60.0 {
					t.Errorf("train keywords from a file: %v", m)
				}
			}},
		{"sentiment has no stored labels", []string{"train", "sentiment"}, 1,
			func(t *testing.T, _, errOut string) {
				if !strings.Contains(errOut, "--data") {
					t.Errorf("stderr %q", errOut)
				}
			}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append(d, s.args...)...)
			if code != s.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, s.code, out, errOut)
			}
			if s.check != nil {
				s.check(t, out, errOut)
			}
		})
	}
}

// keywordProbe opens as every letter of classify_train.jsonl does ("我是…的居民"), so 居民 is a
// keyword under the general weights and none once the stored letters are the corpus.
const keywordProbe = "我是惠城区江北街道的居民，路灯坏了很久，希望尽快维修。"

// jsonKeywords reads the keywords of `minyi analyze --json`.
func jsonKeywords(t *testing.T, out string) []any {
	t.Helper()
	var m struct{ Keywords []any }
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("analyze --json: %v\n%s", err, out)
	}
	return m.Keywords
}

func TestNLPCommandUsageErrors(t *testing.T) {
	data := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown task", []string{"train", "topic"}, 2, "minyi train classify|sentiment|emotion|route"},
		{"label without data", []string{"train", "classify", "--label", "x"}, 2, "--label 只能与 --data 一起使用"},
		{"eval without test", []string{"eval", "classify", "--train", nlpData("classify_train.jsonl")}, 2, "--train 与 --test"},
		{"segment without gold", []string{"eval", "segment"}, 2, "--gold"},
		{"analyze without text", []string{"analyze", "--json"}, 2, "analyze 需要一段文字"},
		{"missing file", []string{"eval", "classify", "--train", "nope.jsonl", "--test", "nope.jsonl"}, 1, "找不到文件"},
		{"keywords take no label", []string{"train", "keywords", "--data", nlpData("classify_train.jsonl"), "--label", "label"}, 2, "不接受 --label"},
		{"keywords are not evaluated", []string{"eval", "keywords", "--train", nlpData("classify_train.jsonl"), "--test", nlpData("classify_test.jsonl")}, 2, "用法：minyi eval"},
		{"keywords from a missing file", []string{"train", "keywords", "--data", "nope.jsonl"}, 1, "nope.jsonl"},
		{"no such label column", []string{"train", "classify", "--data", nlpData("classify_train.jsonl"), "--label", "emotion"}, 1, "没有带“emotion”标注的行"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, append([]string{"--data", data}, tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tt.code, errOut, tt.want)
			}
		})
	}
}

// sharedData is the evaluation data; tests that read it skip where it is absent.
const sharedData = "/work/shared/data"

// splitEvery keeps every limit-th line of a shared training split and writes every nth kept
// line to test, the rest to train (the sets are sorted by label, so a head/tail split would
// test on one class).
func splitEvery(t *testing.T, set string, n, limit int) (train, test string) {
	t.Helper()
	f, err := os.Open(filepath.Join(sharedData, set, "train.jsonl"))
	if err != nil {
		t.Skipf("shared data not available: %v", err)
	}
	defer f.Close()
	dir := t.TempDir()
	train, test = filepath.Join(dir, "train.jsonl"), filepath.Join(dir, "test.jsonl")
	var tr, te strings.Builder
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	kept := 0
	for i := 1; sc.Scan(); i++ {
		if i%limit != 0 {
			continue
		}
		kept++
		b := &tr
		if kept%n == 0 {
			b = &te
		}
		b.Write(sc.Bytes())
		b.WriteByte('\n')
	}
	if err := os.WriteFile(train, []byte(tr.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(test, []byte(te.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return train, test
}

// TestEvalAcceptsSharedDataAsIs checks that eval reads the shared sets as they are (field
// names, 0/1 and English labels) on small interleaved slices of their training splits.
func TestEvalAcceptsSharedDataAsIs(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the shared evaluation data")
	}
	data := t.TempDir()
	tests := []struct {
		task, set   string
		limit       int
		minAccuracy float64
	}{
		{"classify", "teddy2020c_classify", 1, 0.7},
		{"sentiment", "waimai_10k", 4, 0.8},
		{"emotion", "smp2020_ewect_virus", 4, 0.55},
	}
	for _, tt := range tests {
		t.Run(tt.set, func(t *testing.T) {
			train, test := splitEvery(t, tt.set, 5, tt.limit)
			code, out, errOut := runCLI(t, "--data", data, "eval", tt.task, "--train", train, "--test", test, "--json")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			m := jsonLine(t, out, "task", "n_train", "n_test", "accuracy", "macro_f1", "seconds")
			t.Logf("%s %s: %s", tt.task, tt.set, strings.TrimSpace(out))
			if m["accuracy"].(float64) < tt.minAccuracy || m["n_test"].(float64) < 100 {
				t.Errorf("%s on %s: %v", tt.task, tt.set, m)
			}
		})
	}
	t.Run("sighan2005_pku", func(t *testing.T) {
		gold := filepath.Join(sharedData, "sighan2005_pku", "train.jsonl")
		if _, err := os.Stat(gold); err != nil {
			t.Skip(err)
		}
		code, out, errOut := runCLI(t, "--data", data, "eval", "segment", "--gold", gold, "--json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if m := jsonLine(t, out, "precision", "recall", "f1"); m["f1"].(float64) < 0.8 {
			t.Errorf("pku: %v", m)
		}
	})
}

// TestDamagedRouterModel checks that a damaged route.bin is read only when a message is routed,
// and then only costs the learned suggestions: the rules still route and the officer is told.
func TestDamagedRouterModel(t *testing.T) {
	data := t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "models"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "models", "route.bin"), []byte("damaged"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantWarn bool
	}{
		{"search never routes, so never reads it", []string{"search", "--json", "噪音"}, false},
		{"analyze routes with the rules alone", []string{"analyze", "--json", "惠城区江北街道工地夜间施工噪音扰民"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"--data", data}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if got := strings.Contains(errOut, "派单模型无法读取"); got != tt.wantWarn {
				t.Errorf("warning shown = %v, want %v; stderr %q", got, tt.wantWarn, errOut)
			}
			if tt.args[0] == "analyze" && !strings.Contains(out, `"departments":[{`) {
				t.Errorf("no rule-based suggestion: %s", out)
			}
		})
	}
}
