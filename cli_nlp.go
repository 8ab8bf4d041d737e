package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"minyi/app"
	"minyi/domain"
	"minyi/nlp"
	"minyi/route"
)

// analyzer loads the segmenter (its dictionary cached in <data>/cache) with the bureau's
// trained classifiers, without opening the store: train --data, eval and analyze run beside a
// console that holds the data directory's lock.
func (e *cliEnv) analyzer(log *slog.Logger) (*nlp.Analyzer, error) {
	if err := os.MkdirAll(e.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("无法创建数据目录 %s：%w", e.dataDir, err)
	}
	an, err := nlp.Load(e.ctx, filepath.Join(e.dataDir, "cache"))
	if err != nil {
		return nil, fmt.Errorf("加载中文分词与模型失败：%w", err)
	}
	useTrainedClassifiers(an, e.dataDir, log)
	if err := useGazetteer(an, e.dataDir); err != nil {
		return nil, err
	}
	return an, nil
}

// useTrainedClassifiers swaps the bureau's models in <data>/models into an: the classifiers
// and the keyword IDF table. A model file that cannot be read is logged and the shipped model
// kept, so a bad file never keeps officers out of their inbox; `minyi train` writes a good one
// again.
func useTrainedClassifiers(an *nlp.Analyzer, dataDir string, log *slog.Logger) {
	cl, ok, err := app.TrainedClassifiers(dataDir)
	switch {
	case err != nil:
		log.Warn("训练的分类模型无法读取，改用内置模型", "err", err)
	case ok:
		an.SetClassifiers(cl)
		log.Debug("using trained classifiers", "dir", app.ModelsDir(dataDir))
	}
	idf, ok, err := app.TrainedIDF(dataDir)
	switch {
	case err != nil:
		log.Warn("关键词权重表无法读取，改用内置权重", "err", err)
	case ok:
		an.SetIDF(idf)
		log.Debug("using the bureau's keyword IDF table", "docs", idf.Docs)
	}
}

// loadRouting builds the router from the bureau's directory, rules and trained model. Bad
// directory or rules files are errors (they are edited by hand and must be fixed); the trained
// model is read on first use (see lazyRouter).
func loadRouting(dataDir string, log *slog.Logger) (*route.Directory, *lazyRouter, error) {
	dir, rules, err := app.LoadRoutingConfig(dataDir)
	if err != nil {
		return nil, nil, err
	}
	return dir, &lazyRouter{dir: dir, rules: rules, dataDir: dataDir, log: log}, nil
}

// lazyRouter reads <data>/models/route.bin only when a message is first routed: a router
// learned from Shanghai's 4,602 letters and 549 departments is a 120 MB file costing about 5 s
// of CPU and 2 GB to load, which search, show, case or audit should not pay. A file that
// cannot be read is logged and routing goes on with the rules alone.
type lazyRouter struct {
	dir     *route.Directory
	rules   *route.Rules
	dataDir string
	log     *slog.Logger
	once    sync.Once
	r       *route.Router
}

func (l *lazyRouter) router() *route.Router {
	l.once.Do(func() {
		l.r = route.New(l.dir, l.rules)
		if _, err := app.LoadRouterModel(l.r, l.dataDir); err != nil {
			l.log.Warn("派单模型无法读取，仅按规则派单", "err", err)
			l.r = route.New(l.dir, l.rules)
		}
	})
	return l.r
}

// Suggest routes a message (app.Router).
func (l *lazyRouter) Suggest(it *domain.Item, a *domain.Analysis) []domain.Suggestion {
	return l.router().Suggest(it, a)
}

// Returned records a 退单 (app.Returner).
func (l *lazyRouter) Returned(dept string, a *domain.Analysis, reason string) {
	l.router().Returned(dept, a, reason)
}

// Train relearns from dispatch history (Retrain).
func (l *lazyRouter) Train(history []route.Labeled) error { return l.router().Train(history) }

// MarshalBinary saves what the router learned (Retrain).
func (l *lazyRouter) MarshalBinary() ([]byte, error) { return l.router().MarshalBinary() }

// readLabeled reads a labelled file and says on stderr which rows it skipped, so that a count
// smaller than the file's lines is never a surprise.
func (e *cliEnv) readLabeled(path, field string) ([]app.LabeledItem, error) {
	rows, skips, err := app.ReadLabeled(e.ctx, path, field)
	if w := skips.Warning(path); w != "" {
		fmt.Fprintln(e.stderr, w)
	}
	return rows, err
}

func cmdTrain(env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	data := fs.String("data", "", "")
	label := fs.String("label", "", "")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || !slices.Contains(app.TrainTasks(), pos[0]) {
		return usageErr("用法：minyi train classify|sentiment|emotion|route [--data 文件] [--label 列名]，或 minyi train keywords [--data 文件]")
	}
	task := pos[0]
	log := slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if task == app.TaskKeywords && *label != "" {
		return usageErr("train keywords 不需要标注，不接受 --label")
	}
	if *data == "" {
		if *label != "" {
			return usageErr("--label 只能与 --data 一起使用")
		}
		p, err := env.open(slog.LevelWarn)
		if err != nil {
			return err
		}
		defer p.Close()
		res, err := p.core.Retrain(env.ctx, task)
		if err != nil {
			return err
		}
		return printJSON(env.stdout, res)
	}
	if task == app.TaskKeywords {
		return env.trainKeywordsFile(*data, log)
	}
	field := *label
	if field == "" {
		field = app.DefaultLabelField(task)
	}
	rows, err := env.readLabeled(*data, field)
	if err != nil {
		return err
	}
	an, err := env.analyzer(log)
	if err != nil {
		return err
	}
	var res app.TrainResult
	if task == app.TaskRoute {
		dir, rules, err := app.LoadRoutingConfig(env.dataDir)
		if err != nil {
			return err
		}
		router := route.New(dir, rules)
		// Keep the 退单 table learned so far; a broken file is simply replaced.
		if _, err := app.LoadRouterModel(router, env.dataDir); err != nil {
			router = route.New(dir, rules)
		}
		res, err = app.TrainRoute(env.ctx, an, router, rows, app.ModelsDir(env.dataDir))
		if err != nil {
			return err
		}
	} else {
		res, _, err = app.TrainText(env.ctx, an, task, rows, app.ModelsDir(env.dataDir))
		if err != nil {
			return err
		}
	}
	return printJSON(env.stdout, res)
}

// trainKeywordsFile builds the keyword IDF table from every message of a file into
// <data>/models/idf.bin, saying on stderr which rows it could not read.
func (e *cliEnv) trainKeywordsFile(path string, log *slog.Logger) error {
	an, err := e.analyzer(log)
	if err != nil {
		return err
	}
	res, st, err := app.TrainKeywordsFile(e.ctx, an, path, app.ModelsDir(e.dataDir))
	if len(st.Errors) > 0 {
		fmt.Fprintf(e.stderr, "注意：%s 中 %d 行无法读取，已跳过（如第 %d 行：%s）\n", filepath.Base(path), len(st.Errors), st.Errors[0].Line, st.Errors[0].Error)
	}
	if err != nil {
		return err
	}
	return printJSON(e.stdout, res)
}

// segEval is the JSON line of `minyi eval segment`.
type segEval struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

func cmdEval(env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	trainPath := fs.String("train", "", "")
	testPath := fs.String("test", "", "")
	gold := fs.String("gold", "", "")
	label := fs.String("label", "", "")
	asJSON := fs.Bool("json", false, "")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	tasks := append(slices.DeleteFunc(app.TrainTasks(), func(t string) bool { return t == app.TaskKeywords }), "segment")
	if len(pos) != 1 || !slices.Contains(tasks, pos[0]) {
		return usageErr("用法：minyi eval classify|sentiment|emotion|route --train 文件 --test 文件 [--json]，或 minyi eval segment --gold 文件 [--json]")
	}
	task := pos[0]
	log := slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if task == "segment" {
		if *gold == "" {
			return usageErr("eval segment 需要 --gold 文件（每行含 text 与 words 的 JSONL）")
		}
		an, err := env.analyzer(log)
		if err != nil {
			return err
		}
		sc, err := nlp.EvalSegment(env.ctx, an, *gold)
		if err != nil {
			return fmt.Errorf("评估分词失败：%w", err)
		}
		out := segEval{Precision: sc.Precision, Recall: sc.Recall, F1: sc.F1}
		if *asJSON {
			return printJSON(env.stdout, out)
		}
		_, err = fmt.Fprintf(env.stdout, "分词评估（%d 行）：准确率 %.4f，召回率 %.4f，F1 %.4f\n", sc.Lines, out.Precision, out.Recall, out.F1)
		return err
	}
	if *trainPath == "" || *testPath == "" {
		return usageErr("eval %s 需要 --train 与 --test 两个文件", task)
	}
	field := *label
	if field == "" {
		field = app.DefaultLabelField(task)
	}
	train, err := env.readLabeled(*trainPath, field)
	if err != nil {
		return err
	}
	test, err := env.readLabeled(*testPath, field)
	if err != nil {
		return err
	}
	an, err := env.analyzer(log)
	if err != nil {
		return err
	}
	if task == app.TaskRoute {
		rep, err := app.EvalRoute(env.ctx, an, train, test)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(env.stdout, rep)
		}
		_, err = fmt.Fprintf(env.stdout, "派单评估：训练 %d 条，测试 %d 条；首选正确率 %.4f，前三命中率 %.4f，宏平均 F1 %.4f；用时 %.1f 秒\n",
			rep.NTrain, rep.NTest, rep.Accuracy, rep.AccAt3, rep.MacroF1, rep.Seconds)
		return err
	}
	rep, err := app.EvalText(env.ctx, an, task, train, test)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(env.stdout, rep)
	}
	_, err = fmt.Fprintf(env.stdout, "%s评估：训练 %d 条，测试 %d 条；准确率 %.4f，宏平均 F1 %.4f；用时 %.1f 秒\n",
		taskName(task), rep.NTrain, rep.NTest, rep.Accuracy, rep.MacroF1, rep.Seconds)
	return err
}

// taskName is a task as the officer reads it.
func taskName(task string) string {
	switch task {
	case nlp.TaskClassify:
		return "分类模型"
	case nlp.TaskSentiment:
		return "情感模型"
	case nlp.TaskEmotion:
		return "情绪模型"
	case app.TaskRoute:
		return "派单模型"
	}
	return task
}

// analyzeOut is the JSON of `minyi analyze --json`.
type analyzeOut struct {
	Text          string              `json:"text"`
	Tokens        []string            `json:"tokens"`
	Places        []domain.Place      `json:"places"`
	District      string              `json:"district"`
	Street        string              `json:"street"`
	Keywords      []string            `json:"keywords"`
	Category      string              `json:"category"`
	CategoryProb  float64             `json:"category_prob"`
	Sentiment     string              `json:"sentiment"`
	SentimentProb float64             `json:"sentiment_prob"` // probability that the message is negative
	Emotion       string              `json:"emotion"`
	Matter        string              `json:"matter"`
	UrgencyCues   []string            `json:"urgency_cues"`
	Priority      int                 `json:"priority"`
	Departments   []domain.Suggestion `json:"departments"`
}

func cmdAnalyze(env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "")
	words, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	text := strings.TrimSpace(strings.Join(words, " "))
	if text == "" {
		return usageErr("analyze 需要一段文字，例如：minyi analyze \"惠城区江北街道渣土车夜间噪音扰民\"")
	}
	log := slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	an, err := env.analyzer(log)
	if err != nil {
		return err
	}
	_, router, err := loadRouting(env.dataDir, log)
	if err != nil {
		return err
	}
	it := domain.Item{Body: text, Channel: domain.ChannelOther}
	a := an.Analyze(it.Title, it.Body)
	sugg := router.Suggest(&it, &a)
	if len(sugg) > 3 {
		sugg = sugg[:3]
	}
	out := analyzeOut{Text: text, Tokens: nonNil(a.Words), Places: a.Places, District: a.District, Street: a.Street,
		Keywords: nonNil(a.Keywords), Category: a.Category, CategoryProb: a.CategoryProb, Sentiment: a.Sentiment,
		SentimentProb: a.SentimentProb, Emotion: a.Emotion, Matter: a.Matter, UrgencyCues: nonNil(a.UrgencyCues),
		Priority: a.Priority, Departments: sugg}
	if out.Places == nil {
		out.Places = []domain.Place{}
	}
	if out.Departments == nil {
		out.Departments = []domain.Suggestion{}
	}
	if *asJSON {
		return printJSON(env.stdout, out)
	}
	return printAnalysis(env.stdout, &out)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// orNone shows an empty value as “无”.
func orNone(s string) string {
	if s == "" {
		return "无"
	}
	return s
}

// printAnalysis is analyze's human output, in Chinese.
func printAnalysis(w io.Writer, o *analyzeOut) error {
	var b strings.Builder
	fmt.Fprintf(&b, "分词：%s\n", strings.Join(o.Tokens, " / "))
	var places []string
	for _, p := range o.Places {
		s := p.Full + "（" + p.Level
		if len(p.Path) > 0 {
			s += "：" + strings.Join(p.Path, " › ")
		}
		places = append(places, s+"）")
	}
	fmt.Fprintf(&b, "地点：%s\n", orNone(strings.Join(places, "；")))
	fmt.Fprintf(&b, "区县 / 街道：%s / %s\n", orNone(o.District), orNone(o.Street))
	fmt.Fprintf(&b, "关键词：%s\n", orNone(strings.Join(o.Keywords, "、")))
	fmt.Fprintf(&b, "分类：%s（置信度 %.2f）\n", orNone(o.Category), o.CategoryProb)
	fmt.Fprintf(&b, "情感：%s（负面概率 %.2f）\n", orNone(o.Sentiment), o.SentimentProb)
	fmt.Fprintf(&b, "情绪：%s\n", orNone(o.Emotion))
	fmt.Fprintf(&b, "事项：%s\n", orNone(o.Matter))
	fmt.Fprintf(&b, "紧急线索：%s\n", orNone(strings.Join(o.UrgencyCues, "、")))
	fmt.Fprintf(&b, "优先级：%d（0 一般 … 3 紧急）\n", o.Priority)
	if len(o.Departments) == 0 {
		b.WriteString("建议部门：无\n")
	} else {
		b.WriteString("建议部门：\n")
		for i, s := range o.Departments {
			flag := ""
			if s.Flagged {
				flag = "【常被退单】"
			}
			fmt.Fprintf(&b, "  %d. %s（置信度 %.2f）%s\n", i+1, s.Department, s.Confidence, flag)
			for _, r := range s.Reasons {
				fmt.Fprintf(&b, "     · %s\n", r)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
