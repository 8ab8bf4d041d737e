// Package app is Minyi's application layer: the pipeline that turns incoming items into stored,
// indexed records, and the methods the UI calls (bound in the Wails window, mirrored over HTTP
// by `minyi serve`). It is the only package besides main that knows the others.
package app

import (
	"cmp"
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
	// lastIndexer is the indexer of the latest ingestWith call (guarded by ingestMu); a call
	// with another one waits until it has indexed everything it was given.
	lastIndexer *indexer
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

// batchSize is how many items the importers and pulls hand Ingest at a time: enough for its
// stages to overlap (see Ingest), few enough that progress is reported every few seconds. Each
// call ends by committing its last batch while the analysis workers have nothing left to do, and
// the next call starts by deduping its first batch before they have anything: with 4,096 items
// a call those two ends left a core idle for about 5% of a bulk import.
const batchSize = 16384

// commitBatch is how many records one store transaction holds (with one audit entry and one
// alert pass); Ingest commits a call's items in batches of this size.
const commitBatch = 1024

// indexBatch is about how many committed records go to the search index at once: bleve builds a
// segment per batch, and fewer, larger segments cost less to build and to merge.
const indexBatch = 2048

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
	batch := make([]*domain.Record, 0, indexBatch)
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
		if len(batch) == indexBatch {
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
//
// The stages overlap so that both cores stay busy: while one batch of commitBatch items is being
// committed (bbolt) and indexed (bleve), the next ones are analysed by a worker per core. Each
// batch still commits as one transaction, in order, after every earlier batch of the call, and
// what becomes of an item is exactly what a batch-by-batch run would decide.
func (c *Core) Ingest(ctx context.Context, items []domain.Item) ([]Outcome, error) {
	ix := c.startIndexing(ctx)
	out, err := c.ingestWith(ctx, items, ix, nil)
	ix.finish()
	return out, err
}

// ingestWith is Ingest handing the committed records to ix, which the caller finishes. A file
// import or a pull passes one indexer to all its batches, so that indexing the last records of
// one batch overlaps analysing the next instead of each batch waiting for its own tail; the
// caller's finish then waits once, at its end.
//
// onCommit, when not nil, hears after each committed store transaction how many of items are
// durable so far (new and duplicates alike), so that progress moves every commitBatch items
// rather than once per call. It runs on the committing goroutine, one call at a time.
func (c *Core) ingestWith(ctx context.Context, items []domain.Item, ix *indexer, onCommit func(done int)) ([]Outcome, error) {
	c.ingestMu.Lock()
	defer c.ingestMu.Unlock()
	if c.lastIndexer != nil && c.lastIndexer != ix {
		// Another intake's records reach the index before this one's: the index remembers the
		// highest seq it was given, and CatchUp after a crash starts there, so a newer
		// record must never be indexed ahead of an older one still waiting.
		c.lastIndexer.drain()
	}
	c.lastIndexer = ix
	out := make([]Outcome, len(items))
	if len(items) == 0 {
		return out, nil
	}
	tasks := make(chan analyseTask)
	var workers sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for t := range tasks {
				if ctx.Err() == nil {
					c.analyseRecord(t.rec)
				}
				t.job.pending.Done()
			}
		}()
	}
	defer func() {
		close(tasks)
		workers.Wait()
	}()

	jobs := make(chan *ingestJob, 1) // one batch analysed ahead of the one committing
	stop := make(chan struct{})      // closed when the committer gives up
	committed := 0                   // items of the call in committed batches
	var commitErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for job := range jobs {
			job.pending.Wait()
			if commitErr != nil {
				continue
			}
			err := ctx.Err() // nothing half-analysed is committed
			var indexed []*domain.Record
			if err == nil {
				indexed, err = c.commitJob(ctx, job, out[job.start:job.start+len(job.recs)])
			}
			if err != nil {
				commitErr = err
				close(stop)
				continue
			}
			committed = job.start + len(job.recs)
			ix.add(indexed)
			if onCommit != nil {
				onCommit(committed)
			}
		}
	}()

	prepErr := c.feed(ctx, items, out, tasks, jobs, stop)
	close(jobs)
	<-done
	if err := cmp.Or(commitErr, prepErr); err != nil {
		return out[:committed], err
	}
	return out, nil
}

// ingestJob is one store transaction's worth of items on its way through the pipeline.
type ingestJob struct {
	start   int              // index in the Ingest call of the first item
	recs    []*domain.Record // one normalised record per item
	copyOf  map[int]int      // an in-batch duplicate → the index of its first copy
	todo    []int            // records to analyse and commit
	known   []int            // duplicates of stored records, found before analysis
	pending sync.WaitGroup   // analyses of todo still running
}

// analyseTask is one record for an analysis worker.
type analyseTask struct {
	job *ingestJob
	rec *domain.Record
}

// feed cuts items into batches of commitBatch, dedupes each and hands its records to the
// analysis workers, then the batch to the committer. It stops early when the committer stops
// or the context ends.
func (c *Core) feed(ctx context.Context, items []domain.Item, out []Outcome, tasks chan<- analyseTask, jobs chan<- *ingestJob, stop <-chan struct{}) error {
	for start := 0; start < len(items); start += commitBatch {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(start+commitBatch, len(items))
		job, err := c.prepareJob(ctx, items[start:end], start, out[start:end])
		if err != nil {
			return err
		}
		job.pending.Add(len(job.todo))
		for k, i := range job.todo {
			select {
			case tasks <- analyseTask{job, job.recs[i]}:
			case <-stop:
				job.pending.Add(k - len(job.todo))
				return nil
			}
		}
		select {
		case jobs <- job:
		case <-stop:
			return nil
		}
	}
	return nil
}

// prepareJob normalises a batch and finds its duplicates: later copies of an item in the batch,
// and items already stored (out is told of those now; the committer checks them again).
func (c *Core) prepareJob(ctx context.Context, items []domain.Item, start int, out []Outcome) (*ingestJob, error) {
	now := c.Now()
	job := &ingestJob{start: start, recs: make([]*domain.Record, len(items)), copyOf: map[int]int{}}
	seenHash := map[string]int{}
	seenSrc := map[string]int{}
	for i := range items {
		it := normalise(items[i], now)
		r := &domain.Record{Item: it, Received: now, Hash: contentHash(it.Title, it.Body), Status: domain.StatusNew}
		job.recs[i] = r
		// Duplicates inside the batch: the first one wins.
		if j, ok := seenHash[r.Hash]; ok {
			job.copyOf[i] = j
			continue
		}
		if it.SourceID != "" {
			if j, ok := seenSrc[it.SourceID]; ok {
				job.copyOf[i] = j
				continue
			}
			seenSrc[it.SourceID] = i
		}
		seenHash[r.Hash] = i
		if id, dup, err := c.Store.Lookup(ctx, it.Source, it.SourceID, r.Hash); err != nil {
			return nil, err
		} else if dup {
			out[i] = Outcome{ID: id, Duplicate: true, DuplicateOf: id}
			job.known = append(job.known, i)
			continue
		}
		job.todo = append(job.todo, i)
	}
	return job, nil
}

// commitJob commits an analysed batch once every earlier batch is committed: one store
// transaction, the outcomes, the audit entry and the alert pass. It returns the new records.
func (c *Core) commitJob(ctx context.Context, job *ingestJob, out []Outcome) ([]*domain.Record, error) {
	// Earlier batches of this call may now hold a record these duplicates match first.
	for _, i := range job.known {
		r := job.recs[i]
		if id, dup, err := c.Store.Lookup(ctx, r.Source, r.SourceID, r.Hash); err != nil {
			return nil, err
		} else if dup {
			out[i] = Outcome{ID: id, Duplicate: true, DuplicateOf: id}
		}
	}
	var indexed []*domain.Record
	if len(job.todo) > 0 {
		fresh := make([]*domain.Record, 0, len(job.todo))
		for _, i := range job.todo {
			fresh = append(fresh, job.recs[i])
		}
		// Add checks for stored duplicates again inside its transaction, which catches copies of
		// items committed by earlier batches of this call.
		added, err := c.Store.Add(ctx, fresh)
		if err != nil {
			return nil, err
		}
		indexed = fresh[:0:0]
		for k, i := range job.todo {
			out[i] = Outcome{ID: added[k].ID, Duplicate: added[k].Duplicate, DuplicateOf: added[k].DuplicateOf}
			if !added[k].Duplicate {
				indexed = append(indexed, fresh[k])
			}
		}
	}
	// In-batch duplicates point at the record their first copy became.
	for i, j := range job.copyOf {
		out[i] = Outcome{ID: out[j].ID, Duplicate: true, DuplicateOf: out[j].ID}
	}
	if len(indexed) > 0 {
		c.auditIntake(ctx, indexed)
	}
	c.afterIngest(ctx, indexed)
	return indexed, nil
}

// indexer puts committed records into the search index on its own goroutine, indexBatch at a
// time, so bleve builds its segments while the next batches are analysed and committed.
type indexer struct {
	c   *Core
	ctx context.Context

	mu       sync.Mutex // guards pending and finished; held while a batch is handed over
	pending  []*domain.Record
	finished bool

	ch       chan []*domain.Record
	done     chan struct{}
	inflight sync.WaitGroup // batches handed over and not yet in the index
}

// startIndexing starts an indexer. The records it is given are committed, so it indexes them
// even when ctx ends: only the store's copy is the durable one, but a cancelled import should
// still leave what it committed searchable.
func (c *Core) startIndexing(ctx context.Context) *indexer {
	// Two batches may wait, so that a commit seldom waits for the index to take one (when the
	// index stage falls behind for a moment, the analysis stage would soon stand still too).
	ix := &indexer{c: c, ctx: context.WithoutCancel(ctx), ch: make(chan []*domain.Record, 2), done: make(chan struct{})}
	go func() {
		defer close(ix.done)
		for recs := range ix.ch {
			// Take the batches that waited while the last Put ran too: Put builds two segments
			// at once from a call of two batches or more, so an index that fell behind catches up
			// on both cores instead of one.
			n := 1
		more:
			for {
				select {
				case next, ok := <-ix.ch:
					if !ok {
						break more
					}
					recs = append(recs, next...)
					n++
				default:
					break more
				}
			}
			if err := c.Index.Put(ix.ctx, recs); err != nil {
				// The store has them; CatchUp will index them on the next start.
				c.Log.Error("index batch failed; records are stored and will be indexed on restart", "err", err, "records", len(recs))
			}
			for range n {
				ix.inflight.Done()
			}
		}
	}()
	return ix
}

// add queues committed records, handing a full batch to the index goroutine.
func (ix *indexer) add(recs []*domain.Record) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.pending = append(ix.pending, recs...)
	if len(ix.pending) >= indexBatch {
		ix.handOver()
	}
}

// handOver gives the pending records to the index goroutine; ix.mu is held.
func (ix *indexer) handOver() {
	if len(ix.pending) == 0 {
		return
	}
	ix.inflight.Add(1)
	ix.ch <- ix.pending
	ix.pending = nil
}

// drain hands over what is pending and waits until the index has everything given so far,
// leaving the indexer open for more.
func (ix *indexer) drain() {
	ix.mu.Lock()
	if !ix.finished {
		ix.handOver()
	}
	ix.mu.Unlock()
	ix.inflight.Wait()
}

// finish indexes what is left and waits until the index has everything.
// Calling it again does nothing.
func (ix *indexer) finish() {
	ix.mu.Lock()
	if ix.finished {
		ix.mu.Unlock()
		return
	}
	ix.finished = true
	ix.handOver()
	close(ix.ch)
	ix.mu.Unlock()
	<-ix.done
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

// analyseRecord fills a record's analysis, routing suggestions and acceptance deadline.
func (c *Core) analyseRecord(r *domain.Record) {
	r.Analysis = c.NLP.Analyze(r.Title, r.Body)
	if c.Router != nil {
		r.Suggestions = c.Router.Suggest(&r.Item, &r.Analysis)
	}
	r.Due = c.Calendar.Due(r, casework.DueAccept)
}

// ErrNoDemo means the binary was built without demo data.
var ErrNoDemo = errors.New("此版本未内置演示数据")
