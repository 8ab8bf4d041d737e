package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"minyi/nlp"
)

// keywordProbe is a message written the way every letter of classify_train.jsonl is: it opens
// with "我是…的居民", so 居民 says nothing about it once the bureau's own corpus is known.
var keywordProbe = [2]string{"", "我是惠城区江北街道的居民，路灯坏了很久，希望尽快维修。"}

// useGeneralIDF puts the shared analyzer back on the shipped keyword weights after a test
// that swapped in a table of its own.
func useGeneralIDF(tb testing.TB) {
	tb.Helper()
	a := analyzer(tb)
	tb.Cleanup(func() { a.SetIDF(nil) })
}

func TestRetrainKeywordsFromStoredRecords(t *testing.T) {
	ctx := context.Background()
	useGeneralIDF(t)
	c := mustCore(t)
	before := c.NLP.Analyze(keywordProbe[0], keywordProbe[1]).Keywords
	if !slices.Contains(before, "居民") {
		t.Fatalf("with the general weights keywords = %v, want 居民 among them (else this test shows nothing)", before)
	}
	items := readItems(t, "classify_train.jsonl")
	mustIngest(t, c, items...)
	res, err := c.Retrain(ctx, TaskKeywords)
	if err != nil {
		t.Fatal(err)
	}
	if res.Task != TaskKeywords || res.N != len(items) || !slices.Contains(res.Labels, "居民") {
		t.Errorf("retrain keywords = %+v, want %d messages and 居民 among the corpus's stop words", res, len(items))
	}
	if res.Path != filepath.Join(ModelsDir(c.DataDir), nlp.IDFFile) {
		t.Errorf("saved to %s", res.Path)
	}
	// The running analyzer uses the new table at once.
	after := c.NLP.Analyze(keywordProbe[0], keywordProbe[1]).Keywords
	if slices.Contains(after, "居民") || !slices.Contains(after, "路灯") {
		t.Errorf("after retrain keywords = %v, want 路灯 and no 居民", after)
	}
	// A restart finds the same table in the data directory.
	idf, ok, err := TrainedIDF(c.DataDir)
	if err != nil || !ok || idf.Docs != len(items) {
		t.Fatalf("TrainedIDF: ok=%v err=%v %+v", ok, err, idf)
	}
	b := analyzer(t)
	b.SetIDF(nil)
	b.SetIDF(idf)
	if got := b.Analyze(keywordProbe[0], keywordProbe[1]).Keywords; !slices.Equal(got, after) {
		t.Errorf("keywords with the reloaded table %v, want %v", got, after)
	}
	// A damaged table is refused with its name, not half-read.
	if err := os.WriteFile(res.Path, []byte("MYIDF\x00\x00\x01garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := TrainedIDF(c.DataDir); ok || !errors.Is(err, nlp.ErrBadIDF) || !strings.Contains(err.Error(), res.Path) {
		t.Errorf("damaged table: ok=%v err=%v, want ErrBadIDF naming %s", ok, err, res.Path)
	}
}

func TestRetrainKeywordsRefusesFewRecords(t *testing.T) {
	c := mustCore(t)
	mustIngest(t, c, readItems(t, "classify_train.jsonl")[:20]...)
	_, err := c.Retrain(context.Background(), TaskKeywords)
	if !errors.Is(err, ErrTooFewRecords) || !strings.Contains(err.Error(), "只有 20 条") {
		t.Errorf("Retrain(keywords) = %v, want ErrTooFewRecords saying 只有 20 条", err)
	}
	if _, err := os.Stat(filepath.Join(ModelsDir(c.DataDir), nlp.IDFFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused retrain left a table behind: %v", err)
	}
	// The bound method hands the officer the same sentence.
	if _, err := NewApp(c, context.Background).Retrain(TaskKeywords); err == nil || !strings.Contains(err.Error(), "至少需要 50 条") {
		t.Errorf("App.Retrain: %v", err)
	}
}

func TestTrainKeywordsFile(t *testing.T) {
	useGeneralIDF(t)
	dir := t.TempDir()
	res, st, err := TrainKeywordsFile(context.Background(), analyzer(t), filepath.Join(nlpTestdata, "classify_train.jsonl"), dir)
	if err != nil {
		t.Fatal(err)
	}
	if res.N != 66 || st.Read != 66 || !slices.Contains(res.Labels, "居民") || res.Path != filepath.Join(dir, nlp.IDFFile) {
		t.Errorf("train keywords from file = %+v, stats %+v", res, st)
	}
	if _, _, err := TrainKeywordsFile(context.Background(), analyzer(t), filepath.Join(dir, "missing.jsonl"), dir); err == nil || !strings.Contains(err.Error(), "missing.jsonl") {
		t.Errorf("missing file: %v", err)
	}
}
