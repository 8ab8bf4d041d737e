package nlp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
)

// SegScore is word-level precision, recall and F1 of a segmentation against gold, in the
// SIGHAN bakeoff sense: a word counts as right when both its boundaries are.
type SegScore struct {
	Precision, Recall, F1 float64
	Lines                 int
}

// EvalSegment scores the analyzer's main segmentation on a JSON Lines gold file whose lines
// carry "text" and the gold "words" (the sighan2005_* sets).
func EvalSegment(ctx context.Context, a *Analyzer, goldPath string) (SegScore, error) {
	f, err := os.Open(goldPath)
	if err != nil {
		return SegScore{}, fmt.Errorf("open segmentation gold %s: %w", goldPath, err)
	}
	defer f.Close()
	var score SegScore
	var gold, pred, right int
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	buf := new(scratch)
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return SegScore{}, err
		}
		var row struct {
			Text  string   `json:"text"`
			Words []string `json:"words"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			return SegScore{}, fmt.Errorf("read %s line %d: %w", goldPath, score.Lines+1, err)
		}
		score.Lines++
		gb := make(map[[2]int]bool, len(row.Words))
		pos := 0
		for _, w := range row.Words {
			gb[[2]int{pos, pos + len(w)}] = true
			pos += len(w)
		}
		gold += len(row.Words)
		for _, s := range a.dict.cut(row.Text, buf) {
			if s.kind == kindSpace {
				continue
			}
			pred++
			if gb[[2]int{buf.off[s.rs], buf.off[s.re]}] {
				right++
			}
		}
	}
	if err := sc.Err(); err != nil {
		return SegScore{}, fmt.Errorf("read %s: %w", goldPath, err)
	}
	if pred > 0 {
		score.Precision = float64(right) / float64(pred)
	}
	if gold > 0 {
		score.Recall = float64(right) / float64(gold)
	}
	if score.Precision+score.Recall > 0 {
		score.F1 = 2 * score.Precision * score.Recall / (score.Precision + score.Recall)
	}
	return score, nil
}
