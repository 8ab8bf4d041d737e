// Command minyi is Minyi (民意), the console in which city-government staff hear the public.
// One binary has three faces: the desktop window (built with -tags desktop,production), a
// headless CLI, and `serve`, the same frontend over HTTP on loopback. This file wires every
// package together; it is the only place that knows them all.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"minyi/app"
	"minyi/casework"
	"minyi/index"
	"minyi/nlp"
	"minyi/store"
)

// version is set at release build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

const usage = `民意 Minyi — 政务民意工作台

用法: minyi [--data DIR] [COMMAND]
  (none)        desktop console (desktop build); the headless build says to use ` + "`serve`" + `
  serve         [--addr 127.0.0.1:8686] [--demo]
  demo          load the demo data set
  import FILE…  .jsonl, .csv, .xlsx → one JSON line {"read":N,"new":N,"duplicate":N,"rejected":N,"errors":[…]}
  search        [--json] [--limit N] [--offset N] [--category C] [--department D] [--status S]
                [--since YYYY-MM-DD] [--until YYYY-MM-DD] QUERY
  show ID       [--json]
  reindex | backup FILE | restore FILE
  pull          [--source NAME | --url URL --format rss|atom|jsonfeed|json|html|csv|xlsx|jsonl] [--timeout 20s]
                → one JSON line {"source":…,"read":N,"new":N,"duplicate":N,"rejected":N,"error":"…"}; exit 1 when the source failed
  sources       [--json] | add NAME --kind K (--url U | --folder DIR) [--channel C] [--schedule S] [--disabled] | remove NAME
  topics        [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--json]   hot topics, hottest first
  alerts        [--json]                                             the alert centre
  report        --from YYYY-MM-DD --to YYYY-MM-DD --format xlsx|html|pdf --out FILE   舆情日报/周报
  case ID       [--json]                      the case: its messages, timeline, deadline, suggestions
  case act ID ACTION [--to DEPT] [--reason TEXT]   受理 派单 签收 办理 退单 答复 回访 办结 延期申请 延期批准 督办 重办 不予受理 改分类
  deadline      --from YYYY-MM-DD --days N [--working] [--json]   → the due date and its weekday
  audit verify  [--json]   exit 0 when the audit chain is intact, 3 naming the first bad entry
  audit export FILE.xlsx
  kpi           [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]   per-department KPIs
  export        --out FILE [--format xlsx|csv] [--unmasked] [search flags] QUERY   every result, masked (脱敏) unless --unmasked (audited)
  bench         ingest|search --items N [--seed S] [--json] [--dir DIR] [--queries N] [--recall-terms N]
                synthetic messages through the real pipeline: items/s, RSS, index size; search p50/p95/p99, recall
  train         classify|sentiment|emotion [--data FILE] [--label FIELD]   → {"task","n","labels","seconds","path"}
                route [--data FILE] [--label department]   models in <data>/models; without --data from stored labels
                keywords [--data FILE]   keyword weights (IDF) from every stored message, or a file's, into models/idf.bin
  eval          classify|sentiment|emotion --train FILE --test FILE [--label FIELD] [--json]
                route --train FILE --test FILE [--json] | segment --gold FILE [--json]
  analyze       [--json] TEXT   tokens, places, keywords, category, sentiment, priority, top-3 departments

数据目录: --data DIR，否则 $MINYI_DATA，否则用户数据目录下的 minyi。
`

func main() {
	if os.Getenv("GOGC") == "" {
		// Intake allocates about 10 KB per message (segmentation, features, bleve's documents);
		// at Go's default of 100 the collector used 10-16% of a bulk import's CPU. 200 halves
		// that for a larger heap between collections (bench ingest at 200k: 2,817-2,889 →
		// 3,114-3,322 items per CPU-second). GOGC in the environment still decides.
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// gcPercent is the garbage collector's target heap growth (GOGC) unless the environment sets one.
const gcPercent = 200

// exitError carries the exit code with the one line the user reads.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func usageErr(format string, a ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, a...) + "（运行 minyi help 查看用法）"}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	global := flag.NewFlagSet("minyi", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	dataDir := global.String("data", "", "数据目录")
	if err := global.Parse(args); err != nil {
		fmt.Fprintln(stderr, usageErr("参数错误：%v", err))
		return 2
	}
	rest := global.Args()
	cmd := ""
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}
	env := &cliEnv{ctx: ctx, stdout: stdout, stderr: stderr, dataDir: resolveDataDir(*dataDir)}
	var err error
	switch cmd {
	case "":
		err = runDesktop(env)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	case "version":
		fmt.Fprintln(stdout, version)
	case "serve":
		err = cmdServe(env, rest)
	case "demo":
		err = cmdDemo(env, rest)
	case "import":
		err = cmdImport(env, rest)
	case "search":
		err = cmdSearch(env, rest)
	case "show":
		err = cmdShow(env, rest)
	case "reindex":
		err = cmdReindex(env, rest)
	case "backup":
		err = cmdBackup(env, rest)
	case "restore":
		err = cmdRestore(env, rest)
	case "pull":
		err = cmdPull(env, rest)
	case "sources":
		err = cmdSources(env, rest)
	case "topics":
		err = cmdTopics(env, rest)
	case "alerts":
		err = cmdAlerts(env, rest)
	case "report":
		err = cmdReport(env, rest)
	case "case":
		err = cmdCase(env, rest)
	case "deadline":
		err = cmdDeadline(env, rest)
	case "audit":
		err = cmdAudit(env, rest)
	case "kpi":
		err = cmdKPI(env, rest)
	case "export":
		err = cmdExport(env, rest)
	case "bench":
		err = cmdBench(env, rest)
	case "train":
		err = cmdTrain(env, rest)
	case "eval":
		err = cmdEval(env, rest)
	case "analyze":
		err = cmdAnalyze(env, rest)
	default:
		err = usageErr("未知命令 %q", cmd)
	}
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		fmt.Fprintln(stderr, "错误："+ee.msg)
		return ee.code
	}
	fmt.Fprintln(stderr, "错误："+explain(err, env.dataDir))
	return 1
}

// explain turns an error into one line saying what went wrong and what to do.
func explain(err error, dataDir string) string {
	switch {
	case errors.Is(err, store.ErrLocked):
		return fmt.Sprintf("数据目录 %s 正被另一个民意进程使用。请先关闭它，或用 --data 指定其他目录。", dataDir)
	case errors.Is(err, store.ErrNotFound):
		return "未找到该记录，请检查编号（如 M000123）。"
	case errors.Is(err, context.Canceled):
		return "已中断。已提交的数据不受影响。"
	}
	return err.Error()
}

// resolveDataDir picks --data, then $MINYI_DATA, then the user's data directory + /minyi.
func resolveDataDir(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if v := os.Getenv("MINYI_DATA"); v != "" {
		return v
	}
	base := os.Getenv("XDG_DATA_HOME")
	switch {
	case base != "":
	case runtime.GOOS == "windows":
		base = os.Getenv("LocalAppData")
	case runtime.GOOS == "darwin":
		if home, err := os.UserHomeDir(); err == nil {
			base = filepath.Join(home, "Library", "Application Support")
		}
	default:
		if home, err := os.UserHomeDir(); err == nil {
			base = filepath.Join(home, ".local", "share")
		}
	}
	if base == "" {
		base = "."
	}
	return filepath.Join(base, "minyi")
}

// cliEnv is what every command gets: the context, the streams and the data directory.
type cliEnv struct {
	ctx            context.Context
	stdout, stderr io.Writer
	dataDir        string
	verbose        bool
}

// parts are the opened pieces of one running Minyi.
type parts struct {
	store *store.Store
	index *index.Index
	nlp   *nlp.Analyzer
	core  *app.Core
	log   *slog.Logger
}

func (p *parts) Close() {
	if p.index != nil {
		p.index.Close()
	}
	if p.store != nil {
		p.store.Close()
	}
}

func (e *cliEnv) dbPath() string     { return filepath.Join(e.dataDir, "minyi.db") }
func (e *cliEnv) indexPath() string  { return filepath.Join(e.dataDir, "index") }
func (e *cliEnv) socketPath() string { return filepath.Join(e.dataDir, "minyi.sock") }

// open opens the store (taking the directory's lock first, so a second process fails fast),
// loads the NLP models, opens the index (rebuilding it if corrupt) and indexes whatever the
// store has that the index lacks.
func (e *cliEnv) open(level slog.Level) (*parts, error) {
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	if err := os.MkdirAll(e.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("无法创建数据目录 %s：%w", e.dataDir, err)
	}
	p := &parts{log: log}
	var err error
	if p.store, err = store.Open(e.ctx, e.dbPath()); err != nil {
		return nil, err
	}
	start := time.Now()
	if p.nlp, err = nlp.Load(e.ctx, filepath.Join(e.dataDir, "cache")); err != nil {
		p.Close()
		return nil, fmt.Errorf("加载中文分词与模型失败：%w", err)
	}
	log.Debug("nlp loaded", "took", time.Since(start))
	if p.index, err = openIndex(e.ctx, e.indexPath(), p.nlp, log); err != nil {
		p.Close()
		return nil, err
	}
	useTrainedClassifiers(p.nlp, e.dataDir, log)
	if err := useGazetteer(p.nlp, e.dataDir); err != nil {
		p.Close()
		return nil, err
	}
	dir, router, err := loadRouting(e.dataDir, log)
	if err != nil {
		p.Close()
		return nil, err
	}
	cal, err := casework.LoadCalendar(e.ctx, filepath.Join(e.dataDir, casework.CalendarFile))
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("读取节假日日历失败：%w", err)
	}
	p.core = app.New(app.Deps{
		DataDir: e.dataDir, Store: p.store, Index: p.index, NLP: p.nlp, Router: router, Calendar: cal, Directory: dir,
		Log: log, Version: version,
	})
	if _, err := p.core.CatchUp(e.ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("补建检索索引失败：%w", err)
	}
	return p, nil
}

// gazetteerFile, when present in the data directory, replaces the built-in gazetteer of places
// (same TSV form as nlp/data/gazetteer.tsv), so a bureau can add its 社区 and correct names.
const gazetteerFile = "gazetteer.tsv"

// useGazetteer loads <data>/gazetteer.tsv if there is one; a damaged file stops start-up with a
// message naming it, rather than silently losing the city's places.
func useGazetteer(a *nlp.Analyzer, dataDir string) error {
	path := filepath.Join(dataDir, gazetteerFile)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("读取地名表 %s 失败：%w", path, err)
	}
	defer f.Close()
	g, err := nlp.LoadGazetteer(f)
	if err != nil {
		return fmt.Errorf("地名表 %s 有误：%w", path, err)
	}
	a.SetGazetteer(g)
	return nil
}

// openIndex opens the index, and starts a fresh one when it is corrupt: it is derived data and
// the store rebuilds it.
func openIndex(ctx context.Context, dir string, seg index.Segmenter, log *slog.Logger) (*index.Index, error) {
	ix, err := index.Open(ctx, dir, seg)
	if errors.Is(err, index.ErrCorrupt) {
		log.Warn("search index is corrupt; rebuilding from the store", "dir", dir, "err", err)
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("remove corrupt index %s: %w", dir, err)
		}
		ix, err = index.Open(ctx, dir, seg)
	}
	if err != nil {
		return nil, fmt.Errorf("打开检索索引失败：%w", err)
	}
	return ix, nil
}
