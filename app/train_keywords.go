package app

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"minyi/domain"
	"minyi/feed"
	"minyi/nlp"
)

// TaskKeywords names the keyword IDF table in TrainResult and Retrain: it is learned from the
// bureau's own messages, labelled or not, so that words every message has (the hotline's
// greeting, the city's name) stop crowding out the ones that tell messages apart.
const TaskKeywords = "keywords"

// MinIDFDocs is the fewest messages an IDF table is built from: below it the shipped general
// table ranks keywords better.
const MinIDFDocs = 50

// ErrTooFewRecords means there are not enough messages to build the keyword IDF table from.
var ErrTooFewRecords = errors.New("留言太少")

// KeywordTrainer is the analyzer's hook for the keyword IDF table (nlp.Analyzer).
type KeywordTrainer interface {
	NewIDFBuilder() *nlp.IDFBuilder
	SetIDF(*nlp.IDF)
}

// TrainKeywords builds the IDF table from every message each hands to add, segmenting them on
// every core, and saves it to modelsDir/idf.bin. The result's Labels are the corpus's own stop
// words: those in more than half of its messages, which are never keywords.
func TrainKeywords(ctx context.Context, kt KeywordTrainer, each func(add func(title, body string) error) error, modelsDir string) (TrainResult, *nlp.IDF, error) {
	start := time.Now()
	b := kt.NewIDFBuilder()
	msgs := make(chan [2]string, 256)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range msgs {
				b.Add(m[0], m[1])
			}
		}()
	}
	err := each(func(title, body string) error {
		select {
		case msgs <- [2]string{title, body}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(msgs)
	wg.Wait()
	if err != nil {
		return TrainResult{}, nil, fmt.Errorf("读取留言失败：%w", err)
	}
	if n := b.Docs(); n < MinIDFDocs {
		return TrainResult{}, nil, fmt.Errorf("%w：只有 %d 条留言，至少需要 %d 条才能统计关键词权重", ErrTooFewRecords, n, MinIDFDocs)
	}
	idf := b.IDF()
	path, err := nlp.SaveIDFFile(modelsDir, idf)
	if err != nil {
		return TrainResult{}, nil, err
	}
	common := idf.CommonWords()
	if common == nil {
		common = []string{}
	}
	return TrainResult{Task: TaskKeywords, N: idf.Docs, Labels: common, Seconds: time.Since(start).Seconds(), Path: path}, idf, nil
}

// TrainKeywordsFile builds the keyword IDF table from the messages of a .jsonl/.csv/.xlsx file
// (title/body/text columns as feed.ReadFile understands them) into modelsDir/idf.bin. The
// stats say which rows the reader refused.
func TrainKeywordsFile(ctx context.Context, kt KeywordTrainer, path, modelsDir string) (TrainResult, feed.FileStats, error) {
	var st feed.FileStats
	res, _, err := TrainKeywords(ctx, kt, func(add func(title, body string) error) error {
		var err error
		st, err = feed.ReadFile(ctx, path, feed.ReadOptions{}, func(_ int, it domain.Item) error {
			return add(it.Title, it.Body)
		})
		if err != nil {
			return fmt.Errorf("读取 %s：%w", path, err)
		}
		return nil
	}, modelsDir)
	return res, st, err
}

// retrainKeywords rebuilds the keyword IDF table from every stored message and swaps it into
// the running analyzer.
func (c *Core) retrainKeywords(ctx context.Context) (TrainResult, error) {
	kt, ok := c.NLP.(KeywordTrainer)
	if !ok {
		return TrainResult{}, errors.New("当前的分析组件不支持更换关键词权重")
	}
	res, idf, err := TrainKeywords(ctx, kt, func(add func(title, body string) error) error {
		return c.Store.Scan(ctx, 0, func(r *domain.Record) error { return add(r.Title, r.Body) })
	}, ModelsDir(c.DataDir))
	if err != nil {
		return TrainResult{}, err
	}
	kt.SetIDF(idf)
	c.Log.Info("keyword IDF rebuilt from stored records", "n", res.N, "common", len(res.Labels))
	return res, nil
}

// TrainedIDF loads the keyword IDF table in <data>/models/idf.bin; ok is false when the bureau
// built none (keywords then use the general table shipped with the dictionary).
func TrainedIDF(dataDir string) (idf *nlp.IDF, ok bool, err error) {
	return nlp.LoadIDFFile(ModelsDir(dataDir))
}
