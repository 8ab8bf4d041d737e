// Package app is Minyi's application layer: the pipeline that turns incoming items into stored,
// indexed records, and the methods the UI calls (bound in the Wails window, mirrored over HTTP
// by `minyi serve`). It is the only package besides main that knows the others.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"minyi/casework"
	"minyi/domain"
	"minyi/index"
	"minyi/route"
	"minyi/store"
)

// Analyzer reads a message's Chinese text (nlp.Analyzer satisfies it).
type Analyzer interface {
	Analyze(title, body string) domain.Analysis
	Words(text string) []string
}

// Router suggests departments for a message (route.Router satisfies it).
type Router interface {
	Suggest(it *domain.Item, a *domain.Analysis) []domain.Suggestion
}

// Deps is what main hands the core: every part already opened or loaded.
type Deps struct {
	DataDir string
	Store   *store.Store
	Index   *index.Index
	NLP     Analyzer
	Router  Router
	// Calendar holds the working-day calendar and deadline policy (default: the built-in table).
	Calendar *casework.Calendar
	// Directory lists the departments cases are dispatched to.
	Directory *route.Directory
	Log       *slog.Logger
	// Notify, when set, shows a new alert to the officer outside the window (the desktop build
	// sends a freedesktop notification); it must not block.
	Notify  func(title, body string)
	Now     func() time.Time // the clock; tests fake it
	Version string
}

// Core runs the pipeline and answers queries. It is safe for concurrent use.
type Core struct {
	Deps
	ingestMu sync.Mutex // one ingest at a time keeps sequence order equal to commit order
}

// New returns a core over opened parts. Missing optional parts get defaults.
func New(d Deps) *Core {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Calendar == nil {
		d.Calendar = casework.NewCalendar()
	}
	return &Core{Deps: d}
}

// cst is China Standard Time: dates typed by officers and shown to them are in it (no DST).
var cst = time.FixedZone("CST", 8*3600)

// batchSize is how many records one store transaction and one index batch hold.
const batchSize = 512

// CatchUp indexes every stored record the index has not seen (after a crash between the store
// commit and the index batch, or after the index was deleted). It returns how many it indexed.
func (c *Core) CatchUp(ctx context.Context) (int, error) {
	from, err := c.Index.IndexedSeq()
	if err != nil {
		return 0, fmt.Errorf("read index position: %w", err)
	}
	last, err := c.Store.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	if last <= from {
		return 0, nil
	}
	n := 0
	batch := make([]*domain.Record, 0, batchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := c.Index.Put(ctx, batch); err != nil {
			return fmt.Errorf("index records: %w", err)
		}
		n += len(batch)
		batch = batch[:0]
		return nil
	}
	err = c.Store.Scan(ctx, from, func(r *domain.Record) error {
		batch = append(batch, r)
		if len(batch) == batchSize {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if n > 0 {
		c.Log.Info("index caught up with store", "records", n, "from_seq", from)
	}
	return n, err
}

// Outcome is what became of one item handed to Ingest.
type Outcome struct {
	ID          string // the stored record, or the record it duplicates
	Duplicate   bool
	DuplicateOf string
}

// Ingest runs items through the whole pipeline: normalise → dedupe → analyse once → route →
// commit to the store → index. When it returns, every non-duplicate item is durable in the store;
// an index failure is logged and repaired by CatchUp, never losing the record.
func (c *Core) Ingest(ctx context.Context, items []domain.Item) ([]Outcome, error) {
	c.ingestMu.Lock()
	defer c.ingestMu.Unlock()
	out := make([]Outcome, 0, len(items))
	for start := 0; start < len(items); start += batchSize {
		end := min(start+batchSize, len(items))
		res, err := c.ingestBatch(ctx, items[start:end])
		out = append(out, res...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func (c *Core) ingestBatch(ctx context.Context, items []domain.Item) ([]Outcome, error) {
	now := c.Now()
	out := make([]Outcome, len(items))
	recs := make([]*domain.Record, len(items))
	seenHash := map[string]int{}
	seenSrc := map[string]int{}
	copyOf := map[int]int{} // an in-batch duplicate → the index of its first copy
	var todo []int
	for i := range items {
		it := normalise(items[i], now)
		r := &domain.Record{Item: it, Received: now, Hash: contentHash(it.Title, it.Body), Status: domain.StatusNew}
		recs[i] = r
		// Duplicates inside the batch: the first one wins.
		if j, ok := seenHash[r.Hash]; ok {
			copyOf[i] = j
			continue
		}
		if it.SourceID != "" {
			if j, ok := seenSrc[it.SourceID]; ok {
				copyOf[i] = j
				continue
			}
			seenSrc[it.SourceID] = i
		}
		seenHash[r.Hash] = i
		if id, dup, err := c.Store.Lookup(ctx, it.Source, it.SourceID, r.Hash); err != nil {
			return nil, err
		} else if dup {
			out[i] = Outcome{ID: id, Duplicate: true, DuplicateOf: id}
			continue
		}
		todo = append(todo, i)
	}
	c.analyse(ctx, recs, todo)
	if err := ctx.Err(); err != nil {
		return out, err // nothing half-analysed is committed
	}
	fresh := make([]*domain.Record, 0, len(todo))
	for _, i := range todo {
		fresh = append(fresh, recs[i])
	}
	added, err := c.Store.Add(ctx, fresh)
	if err != nil {
		return nil, err
	}
	indexed := fresh[:0:0]
	for k, i := range todo {
		out[i] = Outcome{ID: added[k].ID, Duplicate: added[k].Duplicate, DuplicateOf: added[k].DuplicateOf}
		if !added[k].Duplicate {
			indexed = append(indexed, fresh[k])
		}
	}
	// In-batch duplicates point at the record their first copy became.
	for i, j := range copyOf {
		out[i] = Outcome{ID: out[j].ID, Duplicate: true, DuplicateOf: out[j].ID}
	}
	if len(indexed) > 0 {
		if err := c.Index.Put(ctx, indexed); err != nil {
			// The store has them; CatchUp will index them on the next start.
			c.Log.Error("index batch failed; records are stored and will be indexed on restart", "err", err, "records", len(indexed))
		}
	}
	if len(indexed) > 0 {
		c.auditIntake(ctx, indexed)
	}
	c.afterIngest(ctx, indexed)
	return out, nil
}

// groupAfterIntake joins near-duplicates to their open case once an import, demo load or pull
// has committed everything, so the officer never sees the twentieth complaint about one 渣土车
// route as twenty cases. It runs once per intake rather than per batch because the pass works in
// arrival order over a time window, and a file's rows need not arrive in time order.
func (c *Core) groupAfterIntake(ctx context.Context) {
	if _, err := c.GroupDuplicates(ctx); err != nil {
		c.Log.Error("group near duplicates", "err", err)
	}
}

// auditIntake records a committed batch in the audit chain: who brought which records in.
func (c *Core) auditIntake(ctx context.Context, recs []*domain.Record) {
	sources := map[string]int{}
	for _, r := range recs {
		sources[r.Source]++
	}
	names := make([]string, 0, len(sources))
	for s, n := range sources {
		names = append(names, fmt.Sprintf("%s %d 条", s, n))
	}
	sort.Strings(names)
	entry := store.AuditEntry{
		Time: c.Now(), Actor: casework.SystemActor, Action: "入库",
		Detail: fmt.Sprintf("新增 %d 条（%s … %s）：%s", len(recs), recs[0].ID, recs[len(recs)-1].ID, strings.Join(names, "，")),
	}
	if _, err := c.Store.AppendAudit(ctx, entry); err != nil {
		c.Log.Error("audit intake", "err", err)
	}
}

// analyse fills the analysis and routing suggestions of recs[i] for i in todo, on all cores.
func (c *Core) analyse(ctx context.Context, recs []*domain.Record, todo []int) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r := recs[i]
				r.Analysis = c.NLP.Analyze(r.Title, r.Body)
				if c.Router != nil {
					r.Suggestions = c.Router.Suggest(&r.Item, &r.Analysis)
				}
				r.Due = c.Calendar.Due(r, casework.DueAccept)
			}
		}()
	}
	for _, i := range todo {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
}

// ErrNoDemo means the binary was built without demo data.
var ErrNoDemo = errors.New("此版本未内置演示数据")
