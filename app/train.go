package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"minyi/casework"
	"minyi/domain"
	"minyi/feed"
	"minyi/internal/atomicfile"
	"minyi/learn"
	"minyi/nlp"
	"minyi/route"
)

// Model files live in <data>/models so a bureau's own training survives upgrades and backups
// of the data directory: <task>.bin for the classifiers (read by nlp.LoadClassifiers),
// route.bin for the learned router and idf.bin for the keyword weights (nlp.LoadIDFFile).
const (
	ModelsDirName   = "models"
	RouterModelFile = "route.bin"
	RulesFile       = "rules.json"       // routing rules edited by the bureau (route.LoadRules)
	DirectoryFile   = "departments.json" // the department directory (route.LoadDirectory)
	DirectoryXLSX   = "departments.xlsx" // the same, as the 设置 screen exports it
)

// TaskRoute names the router in TrainResult and Retrain, beside nlp's classify, sentiment and emotion.
const TaskRoute = "route"

// MinStoredLabels is the fewest labelled records Retrain learns from: below it a model would
// be worse than the shipped one, so the officer is told to label more instead.
const MinStoredLabels = 50

// ErrTooFewLabels means there are not enough labelled records (or rows) to train a model.
var ErrTooFewLabels = errors.New("带标注的记录太少")

// ErrNoStoredLabels means the task has no labels in the store at all: officers correct
// categories and departments, never sentiment or emotion, so those train from a file only.
var ErrNoStoredLabels = errors.New("该模型只能用带标注的文件训练")

// ErrUnknownTask means a task other than classify, sentiment, emotion, route or keywords.
var ErrUnknownTask = errors.New("未知的训练任务")

// ModelsDir is the folder holding the bureau's trained models.
func ModelsDir(dataDir string) string { return filepath.Join(dataDir, ModelsDirName) }

// TrainTasks lists what can be trained, in the order the CLI names them.
func TrainTasks() []string { return append(nlp.Tasks(), TaskRoute, TaskKeywords) }

// DefaultLabelField is the column a task's label is read from when --label is not given.
func DefaultLabelField(task string) string {
	if task == TaskRoute {
		return "department"
	}
	return "label"
}

func checkTask(task string) error {
	if !slices.Contains(TrainTasks(), task) {
		return fmt.Errorf("%w“%s”：可选 %s", ErrUnknownTask, task, strings.Join(TrainTasks(), "、"))
	}
	return nil
}

// TrainResult is what one training run produced: `minyi train` prints it as one JSON line and
// the 设置 screen's 重新训练 button shows it.
type TrainResult struct {
	Task    string   `json:"task"`
	N       int      `json:"n"`       // labelled messages learned from (for keywords: all messages)
	Labels  []string `json:"labels"`  // the classes (categories, departments…) the model knows; for keywords the corpus's own stop words
	Seconds float64  `json:"seconds"` // segmentation + training + saving
	Path    string   `json:"path"`    // the model file written
}

// EvalResult is how a classifier trained on one file scores on another: the JSON line of
// `minyi eval classify|sentiment|emotion`.
type EvalResult struct {
	Task     string  `json:"task"`
	NTrain   int     `json:"n_train"`
	NTest    int     `json:"n_test"`
	Accuracy float64 `json:"accuracy"`
	MacroF1  float64 `json:"macro_f1"`
	Seconds  float64 `json:"seconds"` // segmentation + training + scoring
}

// LabeledItem is one message with the label its file (or an officer) gave it.
type LabeledItem struct {
	Item  domain.Item
	Label string
	// Reply is the department's reply, when the row has a reply column (replyOf) or the case a
	// 答复 (latestReply); RouteHistory learns from it.
	Reply string
}

// labelAliases and departmentAliases are the column names feed.ReadFile folds into Item.Label
// and Item.Department; the label of such a column is read back from there.
var (
	labelAliases      = []string{"label", "category", "一级分类", "一级标签", "分类", "类别", "问题分类"}
	departmentAliases = []string{"department", "回复单位", "承办单位", "处理部门", "办理单位", "部门", "责任单位"}
)

// labelOf reads the label column field of a row. feed.ReadFile keeps the first non-empty of
// several columns meaning the same thing (online_shopping_10_cats has both category and label)
// in the Item and the others in Extra, so Extra is looked at first.
func labelOf(it *domain.Item, field string) string {
	for k, v := range it.Extra {
		if strings.EqualFold(k, field) {
			return strings.TrimSpace(v)
		}
	}
	f := strings.ToLower(strings.TrimSpace(field))
	switch {
	case slices.Contains(labelAliases, f):
		return it.Label
	case slices.Contains(departmentAliases, f):
		return it.Department
	}
	return ""
}

// LabeledSkips says which rows of a labelled file were left out, for a warning to the user.
type LabeledSkips struct {
	Unlabelled int              // rows without a value in the label column
	Rejected   []feed.LineError // rows feed.ReadFile refused (no text, damaged encoding…)
}

// Warning is a one-line Chinese note about the skipped rows of path, "" when none were.
func (s LabeledSkips) Warning(path string) string {
	if s.Unlabelled == 0 && len(s.Rejected) == 0 {
		return ""
	}
	msg := fmt.Sprintf("注意：%s 中 %d 行无标注、%d 行无法读取，均已跳过", filepath.Base(path), s.Unlabelled, len(s.Rejected))
	if len(s.Rejected) > 0 {
		e := s.Rejected[0]
		msg += fmt.Sprintf("（如第 %d 行：%s）", e.Line, e.Error)
	}
	return msg
}

// ReadLabeled reads the labelled rows of a .jsonl/.csv/.xlsx file (title/body/text columns as
// feed.ReadFile understands them, the label from column field). Rows without a label or that
// the reader refuses are skipped and counted; a file with no labelled row is an error.
func ReadLabeled(ctx context.Context, path, field string) ([]LabeledItem, LabeledSkips, error) {
	if field == "" {
		field = "label"
	}
	var out []LabeledItem
	var skips LabeledSkips
	st, err := feed.ReadFile(ctx, path, feed.ReadOptions{}, func(_ int, it domain.Item) error {
		l := labelOf(&it, field)
		if l == "" {
			skips.Unlabelled++
			return nil
		}
		out = append(out, LabeledItem{Item: it, Label: l, Reply: replyOf(&it)})
		return nil
	})
	skips.Rejected = st.Errors
	if err != nil {
		return nil, skips, fmt.Errorf("读取 %s：%w", path, err)
	}
	if len(out) == 0 {
		return nil, skips, fmt.Errorf("%w：文件 %s 中没有带“%s”标注的行（%d 行无标注）", ErrTooFewLabels, path, field, skips.Unlabelled)
	}
	return out, skips, nil
}

// messageText is the text the analyzer reads, as Analyze builds it, so that a model sees the
// same features in training as on intake.
func messageText(it *domain.Item) string { return it.Title + "\n" + it.Body }

// parallel runs fn(i) for i in [0,n) on every core; segmentation dominates training time and
// is safe for concurrent use.
func parallel(ctx context.Context, n int, fn func(i int)) error {
	workers := min(runtime.GOMAXPROCS(0), max(n, 1))
	var wg sync.WaitGroup
	next := make(chan int, 256)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	var err error
	for i := 0; i < n; i++ {
		if i%1024 == 0 {
			if err = ctx.Err(); err != nil {
				break
			}
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return err
}

// TextExamples segments labelled messages for a classifier.
func TextExamples(ctx context.Context, an Analyzer, rows []LabeledItem) ([]nlp.LabeledText, error) {
	out := make([]nlp.LabeledText, len(rows))
	err := parallel(ctx, len(rows), func(i int) {
		text := messageText(&rows[i].Item)
		out[i] = nlp.LabeledText{Text: text, Words: an.Words(text), Label: rows[i].Label}
	})
	return out, err
}

// RouteExamples analyses labelled messages for the router to be scored on. The router sees only
// what a letter being routed has — id, channel, title, body and time — never replies or list fields.
func RouteExamples(ctx context.Context, an Analyzer, rows []LabeledItem) ([]route.Labeled, error) {
	return routeExamples(ctx, an, rows, false)
}

// RouteHistory is RouteExamples for the history a router learns from: each row also carries the
// department's reply when it has one (LabeledItem.Reply), with its analysis. A reply names the roads,
// estates and streets the department serves, which the letters it answered often do not.
func RouteHistory(ctx context.Context, an Analyzer, rows []LabeledItem) ([]route.Labeled, error) {
	return routeExamples(ctx, an, rows, true)
}

func routeExamples(ctx context.Context, an Analyzer, rows []LabeledItem, replies bool) ([]route.Labeled, error) {
	out := make([]route.Labeled, len(rows))
	err := parallel(ctx, len(rows), func(i int) {
		src := &rows[i].Item
		it := domain.Item{SourceID: src.SourceID, Channel: src.Channel, Title: src.Title, Body: src.Body, Time: src.Time}
		out[i] = route.Labeled{Item: it, Analysis: an.Analyze(it.Title, it.Body), Department: rows[i].Label}
		if rep := rows[i].Reply; replies && rep != "" {
			out[i].Reply, out[i].ReplyAnalysis = rep, an.Analyze("", rep)
		}
	})
	return out, err
}

// replyAliases are the column names of a department's reply in petition and hotline exports.
var replyAliases = []string{"reply", "回复内容", "答复意见", "答复内容", "回复意见", "办理结果", "处理结果"}

// replyOf is the reply an imported row carries in one of the replyAliases columns ("" if none),
// the first alias in that list winning when a row has several, so training is deterministic.
func replyOf(it *domain.Item) string {
	for _, alias := range replyAliases {
		for k, v := range it.Extra {
			if strings.ToLower(strings.TrimSpace(k)) == alias {
				if v = strings.TrimSpace(v); v != "" {
					return v
				}
			}
		}
	}
	return ""
}

// distinctLabels counts the different labels among rows.
func distinctLabels(rows []LabeledItem) int {
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r.Label] = true
	}
	return len(seen)
}

// TrainText trains the classifier of task (classify, sentiment or emotion) on rows with the
// task's cross-validated settings and saves it to modelsDir/<task>.bin.
func TrainText(ctx context.Context, an Analyzer, task string, rows []LabeledItem, modelsDir string) (TrainResult, *learn.Model, error) {
	start := time.Now()
	if !slices.Contains(nlp.Tasks(), task) {
		return TrainResult{}, nil, fmt.Errorf("%w“%s”：可选 %s", ErrUnknownTask, task, strings.Join(nlp.Tasks(), "、"))
	}
	data, err := TextExamples(ctx, an, rows)
	if err != nil {
		return TrainResult{}, nil, err
	}
	m, err := nlp.TrainTask(task, data, learn.Options{})
	if err != nil {
		return TrainResult{}, nil, err
	}
	if err := nlp.SaveModel(modelsDir, task, m); err != nil {
		return TrainResult{}, nil, err
	}
	return TrainResult{Task: task, N: len(data), Labels: m.Labels(), Seconds: time.Since(start).Seconds(),
		Path: filepath.Join(modelsDir, task+".bin")}, m, nil
}

// TrainRoute trains router (made by route.New with the directory and rules it will run with,
// since the places it knows depend on them) on rows and saves what it learned to
// modelsDir/route.bin.
func TrainRoute(ctx context.Context, an Analyzer, router *route.Router, rows []LabeledItem, modelsDir string) (TrainResult, error) {
	start := time.Now()
	hist, err := RouteHistory(ctx, an, rows)
	if err != nil {
		return TrainResult{}, err
	}
	if err := router.Train(hist); err != nil {
		return TrainResult{}, fmt.Errorf("训练派单模型失败：%w", err)
	}
	path, err := saveRouter(router, modelsDir)
	if err != nil {
		return TrainResult{}, err
	}
	seen := map[string]bool{}
	var labels []string
	for _, h := range hist {
		if !seen[h.Department] {
			seen[h.Department] = true
			labels = append(labels, h.Department)
		}
	}
	sort.Strings(labels)
	return TrainResult{Task: TaskRoute, N: len(hist), Labels: labels, Seconds: time.Since(start).Seconds(), Path: path}, nil
}

// routerModel is what saving a router needs.
type routerModel interface {
	MarshalBinary() ([]byte, error)
}

// saveRouter writes the router atomically (temporary file, sync, rename), so a crash never
// leaves a half-written route.bin that would stop the next start.
func saveRouter(r routerModel, modelsDir string) (string, error) {
	b, err := r.MarshalBinary()
	if err != nil {
		return "", fmt.Errorf("编码派单模型失败：%w", err)
	}
	path, err := atomicfile.Write(modelsDir, RouterModelFile, b)
	if err != nil {
		return "", fmt.Errorf("保存派单模型失败：%w", err)
	}
	return path, nil
}

// EvalText trains task's classifier on train only and scores it on test.
func EvalText(ctx context.Context, an Analyzer, task string, train, test []LabeledItem) (EvalResult, error) {
	start := time.Now()
	if !slices.Contains(nlp.Tasks(), task) {
		return EvalResult{}, fmt.Errorf("%w“%s”：可选 %s", ErrUnknownTask, task, strings.Join(nlp.Tasks(), "、"))
	}
	tr, err := TextExamples(ctx, an, train)
	if err != nil {
		return EvalResult{}, err
	}
	te, err := TextExamples(ctx, an, test)
	if err != nil {
		return EvalResult{}, err
	}
	rep, _, err := nlp.EvalTask(task, tr, te, learn.Options{})
	if err != nil {
		return EvalResult{}, err
	}
	return EvalResult{Task: task, NTrain: len(tr), NTest: len(te), Accuracy: rep.Accuracy, MacroF1: rep.MacroF1,
		Seconds: time.Since(start).Seconds()}, nil
}

// EvalRoute trains a router on train's history alone (no directory, no rules) and scores its
// top-3 suggestions on test. Seconds include the analysis of both files.
func EvalRoute(ctx context.Context, an Analyzer, train, test []LabeledItem) (route.EvalReport, error) {
	start := time.Now()
	tr, err := RouteHistory(ctx, an, train)
	if err != nil {
		return route.EvalReport{}, err
	}
	te, err := RouteExamples(ctx, an, test)
	if err != nil {
		return route.EvalReport{}, err
	}
	rep, err := route.Evaluate(tr, te)
	if err != nil {
		return route.EvalReport{}, fmt.Errorf("评估派单模型失败：%w", err)
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// dispatchedStatuses are the states in which the assigned department has accepted the case:
// those assignments are dispatch history a router may learn from.
var dispatchedStatuses = []string{domain.StatusSigned, domain.StatusHandling, domain.StatusReplied,
	domain.StatusVisited, domain.StatusClosed}

// storedLabel is a record's label for task: for classify an officer's 改分类 (the record's
// category after it) or else the category the import carried; for route the department that
// signed for the case or else the one the import carried.
func storedLabel(r *domain.Record, task string) string {
	switch task {
	case nlp.TaskClassify:
		for _, e := range r.Events {
			if e.Action == ActRecategorise {
				return r.Analysis.Category
			}
		}
		return strings.TrimSpace(r.Item.Label)
	case TaskRoute:
		if r.Department != "" && slices.Contains(dispatchedStatuses, r.Status) {
			return r.Department
		}
		return strings.TrimSpace(r.Item.Department)
	}
	return ""
}

// StoredLabels collects the records that carry a label for task (see storedLabel).
func (c *Core) StoredLabels(ctx context.Context, task string) ([]LabeledItem, error) {
	if err := checkTask(task); err != nil {
		return nil, err
	}
	if task == nlp.TaskSentiment || task == nlp.TaskEmotion {
		return nil, fmt.Errorf("%w：情感、情绪没有人工标注，请用 minyi train %s --data 文件", ErrNoStoredLabels, task)
	}
	var out []LabeledItem
	err := c.Store.Scan(ctx, 0, func(r *domain.Record) error {
		if l := storedLabel(r, task); l != "" {
			reply := latestReply(r.Events)
			if reply == "" {
				reply = replyOf(&r.Item)
			}
			out = append(out, LabeledItem{Item: r.Item, Label: l, Reply: reply})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("读取带标注的记录：%w", err)
	}
	return out, nil
}

// latestReply is the text of the case's latest 答复 that has one, "" if none does.
func latestReply(events []domain.Event) string {
	for i := len(events) - 1; i >= 0; i-- {
		if e := events[i]; e.Action == casework.ActReply {
			if reply := strings.TrimSpace(e.Reason); reply != "" {
				return reply
			}
		}
	}
	return ""
}

// classifierSetter is the analyzer's hook for swapping in retrained models (nlp.Analyzer).
type classifierSetter interface {
	SetClassifiers(*nlp.Classifiers)
}

// routerTrainer is the live router's training hook (route.Router).
type routerTrainer interface {
	Train([]route.Labeled) error
	MarshalBinary() ([]byte, error)
}

// Retrain learns task (classify or route) again from the stored records that carry a label —
// imported labels and officers' corrections — or rebuilds the keyword IDF table (keywords)
// from every stored message, saves the model in <data>/models and swaps it into the running
// analyzer or router, so no restart is needed.
func (c *Core) Retrain(ctx context.Context, task string) (TrainResult, error) {
	if task == TaskKeywords {
		return c.retrainKeywords(ctx)
	}
	rows, err := c.StoredLabels(ctx, task)
	if err != nil {
		return TrainResult{}, err
	}
	noun := "分类"
	if task == TaskRoute {
		noun = "派单部门"
	}
	if len(rows) < MinStoredLabels {
		return TrainResult{}, fmt.Errorf("%w：只有 %d 条记录带%s标注，至少需要 %d 条才能重新训练", ErrTooFewLabels, len(rows), noun, MinStoredLabels)
	}
	if distinctLabels(rows) < 2 {
		return TrainResult{}, fmt.Errorf("%w：所有带标注的记录都是同一个%s，至少需要两类", ErrTooFewLabels, noun)
	}
	dir := ModelsDir(c.DataDir)
	if task == TaskRoute {
		rt, ok := c.Router.(routerTrainer)
		if !ok {
			return TrainResult{}, errors.New("当前的派单组件不支持重新训练")
		}
		start := time.Now()
		hist, err := RouteHistory(ctx, c.NLP, rows)
		if err != nil {
			return TrainResult{}, err
		}
		if err := rt.Train(hist); err != nil {
			return TrainResult{}, fmt.Errorf("训练派单模型失败：%w", err)
		}
		path, err := saveRouter(rt, dir)
		if err != nil {
			return TrainResult{}, err
		}
		labels := map[string]bool{}
		for _, r := range rows {
			labels[r.Label] = true
		}
		res := TrainResult{Task: task, N: len(rows), Seconds: time.Since(start).Seconds(), Path: path}
		for l := range labels {
			res.Labels = append(res.Labels, l)
		}
		sort.Strings(res.Labels)
		c.Log.Info("router retrained from stored records", "n", res.N, "departments", len(res.Labels))
		return res, nil
	}
	setter, ok := c.NLP.(classifierSetter)
	if !ok {
		return TrainResult{}, errors.New("当前的分析组件不支持更换模型")
	}
	res, _, err := TrainText(ctx, c.NLP, task, rows, dir)
	if err != nil {
		return TrainResult{}, err
	}
	cl, err := nlp.LoadClassifiers(dir)
	if err != nil {
		return TrainResult{}, err
	}
	setter.SetClassifiers(cl)
	c.Log.Info("classifier retrained from stored records", "task", task, "n", res.N, "labels", len(res.Labels))
	return res, nil
}

// Retrain is the 设置 screen's 重新训练 button: task is classify (from imported categories and
// officers' 改分类 corrections), route (from signed-for dispatches) or keywords (the keyword
// weights, from every stored message). The new model is saved and used at once.
func (a *App) Retrain(task string) (TrainResult, error) {
	r, err := a.core.Retrain(a.ctx(), task)
	if err != nil && (errors.Is(err, ErrTooFewLabels) || errors.Is(err, ErrTooFewRecords) || errors.Is(err, ErrNoStoredLabels) || errors.Is(err, ErrUnknownTask)) {
		a.core.Log.Warn("retrain refused", "task", task, "err", err)
		return r, &officerError{msg: err.Error(), err: err}
	}
	return r, a.fail("重新训练", err)
}

// TrainedClassifiers loads the classifiers in <data>/models when any <task>.bin is there (tasks
// without a file keep the shipped model); ok is false when the bureau trained none.
func TrainedClassifiers(dataDir string) (cl *nlp.Classifiers, ok bool, err error) {
	dir := ModelsDir(dataDir)
	for _, task := range nlp.Tasks() {
		if _, err := os.Stat(filepath.Join(dir, task+".bin")); err == nil {
			ok = true
		}
	}
	if !ok {
		return nil, false, nil
	}
	cl, err = nlp.LoadClassifiers(dir)
	if err != nil {
		return nil, false, err
	}
	return cl, true, nil
}

// LoadRoutingConfig reads the department directory from <data>/departments.json (or .xlsx) and
// the rules from <data>/rules.json when the bureau has them, else the built-in ones.
func LoadRoutingConfig(dataDir string) (*route.Directory, *route.Rules, error) {
	dir := route.DefaultDirectory()
	if f, err := os.Open(filepath.Join(dataDir, DirectoryFile)); err == nil {
		dir, err = route.LoadDirectory(f)
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("读取部门目录 %s 失败：%w", DirectoryFile, err)
		}
	} else if f, err := os.Open(filepath.Join(dataDir, DirectoryXLSX)); err == nil {
		dir, err = route.ReadDirectoryXLSX(f)
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("读取部门目录 %s 失败：%w", DirectoryXLSX, err)
		}
	}
	rules := route.DefaultRules()
	if f, err := os.Open(filepath.Join(dataDir, RulesFile)); err == nil {
		rules, err = route.LoadRules(f)
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("读取派单规则 %s 失败：%w", RulesFile, err)
		}
		if err := rules.Check(dir); err != nil {
			return nil, nil, fmt.Errorf("派单规则 %s 与部门目录不符：%w", RulesFile, err)
		}
	}
	return dir, rules, nil
}

// LoadRouterModel restores into router what `minyi train route` (or Retrain) learned, from
// <data>/models/route.bin; ok is false when there is no such file.
func LoadRouterModel(router *route.Router, dataDir string) (ok bool, err error) {
	path := filepath.Join(ModelsDir(dataDir), RouterModelFile)
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("读取派单模型 %s 失败：%w", path, err)
	}
	if err := router.UnmarshalBinary(b); err != nil {
		return false, fmt.Errorf("派单模型 %s 已损坏，请重新运行 minyi train route：%w", path, err)
	}
	return true, nil
}
