package nlp

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"minyi/domain"
	"minyi/internal/atomicfile"
	"minyi/learn"
)

// defaultModels holds the shipped models, trained from public data by
// classify_gen_test.go; the binary never needs the data itself.
//
//go:embed models
var defaultModels embed.FS

// ErrUnknownTask means a task name other than TaskClassify, TaskSentiment or TaskEmotion.
var ErrUnknownTask = errors.New("未知的分类任务")

// Tasks lists the classification tasks in a fixed order.
func Tasks() []string { return []string{TaskClassify, TaskSentiment, TaskEmotion} }

// Sentiment probabilities between these bounds read as 中性: the shipped
// models are trained on reviews, so an unsure call on a citizen's message is
// better shown as neutral than guessed.
const (
	negativeAbove = 0.65 // P(负面) above this → 负面
	positiveBelow = 0.35 // P(负面) below this → 正面
)

// Classifiers holds the three message classifiers: matter category (7 teddy
// classes), sentiment (负面/正面, 中性 when unsure) and emotion (6 classes).
// It is immutable once built and safe for concurrent use.
type Classifiers struct {
	category, sentiment, emotion *learn.Model
	specs                        [3]featureSpec // per model, in Tasks order
	union                        featureSpec    // every family some model reads: extracted once per message
	negIdx                       int            // index of 负面 in the sentiment model's labels
	fused                        *learn.Fused   // the three models interleaved (nil when they cannot be)
	labels                       [3][]string    // per model, in Tasks order
	priors                       *priors        // the shipped prior knowledge the features read
	bufs                         sync.Pool      // *classifyBuf
}

// classifyBuf holds Apply's reusable buffers so classifying does not allocate.
type classifyBuf struct {
	fb     featureBuf
	hashes [3][]uint64
	probs  []float64
	parts  []learn.FusedPart
	fprobs [3][]float64
}

// DefaultClassifiers returns the classifiers embedded in the binary.
func DefaultClassifiers() (*Classifiers, error) {
	return LoadClassifiers("")
}

// LoadClassifiers loads models trained by the bureau from dir (<data>/models,
// files <task>.bin); a task without a file there falls back to the embedded
// default. dir "" means defaults only.
func LoadClassifiers(dir string) (*Classifiers, error) {
	var ms [3]*learn.Model
	for i, task := range Tasks() {
		m, err := loadTaskModel(dir, task)
		if err != nil {
			return nil, err
		}
		ms[i] = m
	}
	return newClassifiers(ms[0], ms[1], ms[2])
}

func loadTaskModel(dir, task string) (*learn.Model, error) {
	name := task + ".bin"
	if dir != "" {
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			m := new(learn.Model)
			if err := m.UnmarshalBinary(b); err != nil {
				return nil, fmt.Errorf("分类模型文件 %s 已损坏或版本不符: %w", path, err)
			}
			return m, nil
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("读取分类模型 %s 失败: %w", path, err)
		}
	}
	b, err := defaultModels.ReadFile("models/" + name)
	if err != nil {
		return nil, fmt.Errorf("内置分类模型 %s 缺失: %w", name, err)
	}
	m := new(learn.Model)
	if err := m.UnmarshalBinary(b); err != nil {
		return nil, fmt.Errorf("内置分类模型 %s 已损坏: %w", name, err)
	}
	return m, nil
}

// newClassifiers checks that the sentiment model can say 负面 and assembles the set.
func newClassifiers(category, sentiment, emotion *learn.Model) (*Classifiers, error) {
	c := &Classifiers{category: category, sentiment: sentiment, emotion: emotion, negIdx: -1, priors: openPriors()}
	for i, task := range Tasks() {
		c.specs[i] = specFor(task)
		c.union = c.union.union(c.specs[i])
	}
	for i, l := range sentiment.Labels() {
		if l == domain.SentimentNegative {
			c.negIdx = i
		}
	}
	if c.negIdx < 0 {
		return nil, fmt.Errorf("情感模型缺少“%s”类别（现有 %v）", domain.SentimentNegative, sentiment.Labels())
	}
	c.labels = [3][]string{category.Labels(), sentiment.Labels(), emotion.Labels()}
	c.fused, _ = learn.NewFused(category, sentiment, emotion)
	return c, nil
}

// Apply classifies one message and fills Category, CategoryProb, Sentiment,
// SentimentProb (the probability that the message is negative) and Emotion.
// text is title+"\n"+body; words its segmentation as (*Analyzer).Words gives it.
func (c *Classifiers) Apply(text string, words []string, a *domain.Analysis) {
	buf, _ := c.bufs.Get().(*classifyBuf)
	if buf == nil {
		buf = &classifyBuf{}
	}
	defer c.bufs.Put(buf)
	buf.fb.extract(c.union, c.priors, text, words)
	if c.fused != nil {
		buf.parts = buf.fb.parts(&c.specs, buf.parts[:0])
		c.fused.Probs(buf.parts, buf.fprobs[:])
		a.Category, a.CategoryProb = argmax(c.labels[0], buf.fprobs[0])
		c.setSentiment(buf.fprobs[1][c.negIdx], a)
		a.Emotion, _ = argmax(c.labels[2], buf.fprobs[2])
		return
	}
	hashes := func(i int) []uint64 {
		buf.hashes[i] = buf.fb.assemble(c.specs[i], buf.hashes[i][:0])
		return buf.hashes[i]
	}
	a.Category, a.CategoryProb = c.category.Best(hashes(0))
	buf.probs = c.sentiment.ProbsHashed(hashes(1), buf.probs)
	c.setSentiment(buf.probs[c.negIdx], a)
	a.Emotion, _ = c.emotion.Best(hashes(2))
}

// argmax returns the most probable label (the first of equals), as learn.Model.Best does.
func argmax(labels []string, p []float64) (string, float64) {
	best := 0
	for i := 1; i < len(p); i++ {
		if p[i] > p[best] {
			best = i
		}
	}
	return labels[best], p[best]
}

// setSentiment sets SentimentProb to pNeg and Sentiment by the bounds.
func (c *Classifiers) setSentiment(pNeg float64, a *domain.Analysis) {
	a.SentimentProb = pNeg
	switch {
	case pNeg > negativeAbove:
		a.Sentiment = domain.SentimentNegative
	case pNeg < positiveBelow:
		a.Sentiment = domain.SentimentPositive
	default:
		a.Sentiment = domain.SentimentNeutral
	}
}

// Model returns the model of one task (for evaluation and export).
func (c *Classifiers) Model(task string) (*learn.Model, error) {
	switch task {
	case TaskClassify:
		return c.category, nil
	case TaskSentiment:
		return c.sentiment, nil
	case TaskEmotion:
		return c.emotion, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownTask, task)
}

// LabeledText is one training or test message: its text, its words (as
// (*Analyzer).Words gives them) and its label.
type LabeledText struct {
	Text  string
	Words []string
	Label string
}

// TaskOptions are the learner settings chosen per task by 5-fold
// cross-validation on the training splits (figures in classify_gen_test.go).
// TrainTask uses them when given the zero Options.
func TaskOptions(task string) learn.Options {
	switch task {
	case TaskClassify:
		return learn.Options{C: 3, ClassWeight: learn.WeightBalanced}
	case TaskSentiment:
		return learn.Options{C: 1, NBMix: 0.5}
	case TaskEmotion:
		// Costs (n/(k·n_class))^0.7 rather than fully balanced: 5-fold CV
		// macro-F1, mean of 3 fold seeds, 0.585 → 0.589 (better on all three),
		// accuracy 0.744 → 0.754; then a quarter NB-SVM: 0.589 → 0.594 (NBMix
		// 0.15-0.4 and C 0.35-0.5 all give 0.593-0.596).
		return learn.Options{C: 0.5, ClassWeight: learn.WeightBalanced, BalancePow: 0.7, NBMix: 0.25}
	}
	return learn.Options{}
}

// Examples turns labelled texts into the task's learn examples, with labels
// normalised as the models use them (sentiment 0/1 → 负面/正面, emotion names
// in Chinese). Evaluate a model with learn.Evaluate(m, Examples(task, test)).
func Examples(task string, data []LabeledText) []learn.Example {
	out := make([]learn.Example, 0, len(data))
	spec, p := specFor(task), openPriors() // once, not per example
	for _, d := range data {
		out = append(out, learn.Example{Features: spec.features(p, d.Text, d.Words), Label: NormalizeLabel(task, d.Label)})
	}
	return out
}

// NormalizeLabel maps the labels of the public data sets to the ones shown to
// officers: sentiment 0/1 (or neg/pos) → 负面/正面, emotions → Chinese names.
// Other labels are returned trimmed.
func NormalizeLabel(task, label string) string {
	l := strings.TrimSpace(label)
	switch task {
	case TaskSentiment:
		switch strings.ToLower(l) {
		case "0", "neg", "negative", "负面", "消极":
			return domain.SentimentNegative
		case "1", "pos", "positive", "正面", "积极":
			return domain.SentimentPositive
		case "neutral", "中性":
			return domain.SentimentNeutral
		}
	case TaskEmotion:
		switch strings.ToLower(l) {
		case "happy":
			return "喜悦"
		case "angry":
			return "愤怒"
		case "sad":
			return "悲伤"
		case "fear":
			return "恐惧"
		case "surprise":
			return "惊奇"
		case "neural", "neutral":
			return "无情绪"
		}
	}
	return l
}

// TrainTask trains the model of one task (classify|sentiment|emotion). The
// zero opt means the task's cross-validated settings (TaskOptions).
func TrainTask(task string, data []LabeledText, opt learn.Options) (*learn.Model, error) {
	if task != TaskClassify && task != TaskSentiment && task != TaskEmotion {
		return nil, fmt.Errorf("%w: %q", ErrUnknownTask, task)
	}
	if opt == (learn.Options{}) {
		opt = TaskOptions(task)
	}
	m, err := learn.Train(Examples(task, data), opt)
	if err != nil {
		return nil, fmt.Errorf("训练%s模型失败: %w", task, err)
	}
	if task == TaskSentiment {
		if _, err := newClassifiers(m, m, m); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// SaveModel writes a task's model to dir/<task>.bin atomically (temporary
// file, sync, rename), so a crash never leaves a half-written model behind.
func SaveModel(dir, task string, m *learn.Model) error {
	if task != TaskClassify && task != TaskSentiment && task != TaskEmotion {
		return fmt.Errorf("%w: %q", ErrUnknownTask, task)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		return fmt.Errorf("编码%s模型失败: %w", task, err)
	}
	if _, err := atomicfile.Write(dir, task+".bin", b); err != nil {
		return fmt.Errorf("保存%s模型失败: %w", task, err)
	}
	return nil
}

// EvalTask trains a task's model on train and scores it on test, both
// labelled as the data sets spell them (NormalizeLabel maps them): what
// `minyi eval classify|sentiment|emotion --train F --test F` reports. The zero
// opt means TaskOptions(task).
func EvalTask(task string, train, test []LabeledText, opt learn.Options) (learn.Report, *learn.Model, error) {
	m, err := TrainTask(task, train, opt)
	if err != nil {
		return learn.Report{}, nil, err
	}
	return learn.Evaluate(m, Examples(task, test)), m, nil
}

// CrossValidateTask is the stratified, deterministic k-fold cross-validation of
// a task's model on one labelled set, as the figures in the report were measured.
func CrossValidateTask(task string, data []LabeledText, folds int, opt learn.Options) (learn.Report, error) {
	if task != TaskClassify && task != TaskSentiment && task != TaskEmotion {
		return learn.Report{}, fmt.Errorf("%w: %q", ErrUnknownTask, task)
	}
	if opt == (learn.Options{}) {
		opt = TaskOptions(task)
	}
	return learn.CrossValidate(Examples(task, data), folds, opt)
}
