// Package index is Minyi's full-text search over stored records: a bleve (scorch) index derived
// from the bbolt store and rebuildable from it at any time.
//
// Chinese text is indexed as overlapping character bigrams (plus each run's last character), so
// a query of any length finds every record containing it, whatever word boundaries gse drew;
// the pipeline's gse words are indexed beside them so that whole-word matches rank first.
// Searches evaluate the query as roaring bitmaps per scorch segment (filters, totals, facets and
// time-sorted pages never touch per-match objects), with each segment's time, seq and facet
// values read once and its sort columns kept in minyi-cols/, so they stay in milliseconds at a
// million records; relevance pages are scored by bleve over at most the newest 10,000 matches.
package index

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"

	"minyi/domain"
)

// Segmenter is what the index needs from the NLP layer: the same lower-cased words the pipeline
// produced (nlp.Analyzer satisfies it). The index uses it for query text only; stored records
// arrive already segmented in Analysis.Words.
type Segmenter interface {
	Words(text string) []string
}

// ErrCorrupt means the index directory cannot be opened as a Minyi index (damaged files, a
// half-created directory or an older schema). The store is the source of truth: rebuild with Recreate.
var ErrCorrupt = errors.New("搜索索引已损坏，需要重建")

// ErrClosed is returned by methods called after Close.
var ErrClosed = errors.New("搜索索引已关闭")

// ErrNotFound is returned by Similar when the record is not in the index.
var ErrNotFound = errors.New("索引中没有该记录")

// schemaVersion changes whenever the documents' fields or analysis change; an index written with
// another version is reported as ErrCorrupt so the app rebuilds it.
const schemaVersion = "minyi-index-7"

// Internal (non-document) keys kept in bleve next to the documents.
const (
	keySeq    = "minyi.seq"
	keySchema = "minyi.schema"
	keyClosed = "minyi.closed" // last clean close; written by Close to learn when all is on disk
	keyNewest = "minyi.newest" // latest Record.Time indexed (unix nanoseconds), where time windows start
)

// Field names of indexed documents.
const (
	fText       = "text"  // title+"\n"+body as bigrams, run-final characters and Latin tokens (no positions)
	fTitle      = "title" // title like text but with positions (exact phrases); stored
	fBody       = "body"  // stored only, for snippets and Similar
	fWords      = "words" // the pipeline's gse words, for whole-word ranking and Similar
	fCategory   = "category"
	fDepartment = "department"
	fStatus     = "status"
	fDistrict   = "district"
	fStreet     = "street"
	fChannel    = "channel"
	fSentiment  = "sentiment"
	fMatter     = "matter"
	fMonth      = "month" // YYYY-MM of Time, for the month facet
	fTime       = "time"
	fSeq        = "seq" // tie-breaker for time sort, so search_after pages never skip or repeat
)

// Index is an open search index. It is safe for concurrent use.
type Index struct {
	idx bleve.Index
	seg Segmenter
	dir string

	putMu  sync.Mutex    // serialises Put/Delete so the recorded highest Seq only grows
	seq    atomic.Uint64 // highest Seq indexed, mirrors keySeq; atomic so readers never wait for a Put
	newest atomic.Int64  // latest record time indexed (unix ns), mirrors keyNewest
	closed atomic.Bool   // Close has run; read without the lock by searches

	cursors   *cursorCache // search_after positions of recent time-sorted pages
	columns   *colCache    // per-segment time/seq columns of the bitmap path
	warming   atomic.Bool  // a background warm-up of new segments' columns is running
	warmWG    sync.WaitGroup
	refBufs   sync.Pool // *[]docRef buffers of newestSet, reused so a query does not fault in fresh pages
	slowOnly  bool      // tests set it to answer every query through bleve's searchers
	maxScored int       // maxScored; tests lower it
	// bleveScores makes relevance always score through bleve's searchers; tests compare.
	bleveScores bool
	denseScan   uint64 // denseScan; tests lower it to exercise the block scan
	windowMin   int    // windowThreshold; tests lower it to exercise the window path
	chunk       int    // putChunk; tests lower it to exercise parallel batches
}

// scorchConfig tunes scorch for bulk ingest: batches are applied without waiting for fsync (the
// store is the source of truth and IndexedSeq lets the app re-feed whatever a crash lost).
func scorchConfig() map[string]interface{} {
	return map[string]interface{}{
		"unsafe_batch": true,
	}
}

// Open opens the index in dir, creating it when dir is missing or empty. A directory that holds
// something other than a readable index of this schema gives ErrCorrupt.
func Open(ctx context.Context, dir string, seg Segmenter) (*Index, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ix := &Index{
		seg:       seg,
		dir:       dir,
		cursors:   newCursorCache(256),
		columns:   newColCache(),
		maxScored: maxScored,
		denseScan: denseScan,
		windowMin: windowThreshold,
		chunk:     putChunk,
	}
	_, statErr := os.Stat(filepath.Join(dir, "index_meta.json"))
	switch {
	case statErr == nil:
		idx, err := bleve.OpenUsing(dir, scorchConfig())
		if err != nil {
			return nil, fmt.Errorf("open index %s: %w (%v)", dir, ErrCorrupt, err)
		}
		ix.idx = idx
		if err := ix.checkSchema(); err != nil {
			idx.Close()
			return nil, err
		}
	case errors.Is(statErr, os.ErrNotExist):
		empty, err := dirEmpty(dir)
		if err != nil {
			return nil, fmt.Errorf("open index %s: %w", dir, err)
		}
		if !empty {
			return nil, fmt.Errorf("open index %s: %w (directory is not empty and has no index_meta.json)", dir, ErrCorrupt)
		}
		idx, err := bleve.NewUsing(dir, buildMapping(), scorch.Name, scorch.Name, scorchConfig())
		if err != nil {
			return nil, fmt.Errorf("create index %s: %w", dir, err)
		}
		if err := idx.SetInternal([]byte(keySchema), []byte(schemaVersion)); err != nil {
			idx.Close()
			return nil, fmt.Errorf("create index %s: %w", dir, err)
		}
		ix.idx = idx
	default:
		return nil, fmt.Errorf("open index %s: %w", dir, statErr)
	}
	return ix, nil
}

// Recreate removes the index in dir (only if dir looks like an index or is empty) and creates a
// fresh one; the app calls it after ErrCorrupt, then re-puts every stored record.
func Recreate(ctx context.Context, dir string, seg Segmenter) (*Index, error) {
	empty, err := dirEmpty(dir)
	if err != nil {
		return nil, fmt.Errorf("recreate index %s: %w", dir, err)
	}
	if !empty {
		if !looksLikeIndex(dir) {
			return nil, fmt.Errorf("recreate index %s: refusing to delete a directory that is not a search index", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("recreate index %s: %w", dir, err)
		}
	}
	return Open(ctx, dir, seg)
}

// looksLikeIndex reports whether every entry of dir is something bleve/scorch writes.
func looksLikeIndex(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		switch e.Name() {
		case "index_meta.json", "store", colDir:
		default:
			return false
		}
	}
	return true
}

// dirEmpty reports whether dir is missing or has no entries.
func dirEmpty(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return len(entries) == 0, nil
}

// checkSchema verifies the schema marker and loads the recorded highest Seq.
func (ix *Index) checkSchema() error {
	v, err := ix.idx.GetInternal([]byte(keySchema))
	if err != nil {
		return fmt.Errorf("open index %s: %w (%v)", ix.dir, ErrCorrupt, err)
	}
	if string(v) != schemaVersion {
		return fmt.Errorf("open index %s: %w (schema %q, want %q)", ix.dir, ErrCorrupt, v, schemaVersion)
	}
	raw, err := ix.idx.GetInternal([]byte(keySeq))
	if err != nil {
		return fmt.Errorf("open index %s: %w (%v)", ix.dir, ErrCorrupt, err)
	}
	if len(raw) != 0 && len(raw) != 8 {
		return fmt.Errorf("open index %s: %w (bad sequence marker)", ix.dir, ErrCorrupt)
	}
	if len(raw) == 8 {
		ix.seq.Store(binary.BigEndian.Uint64(raw))
	}
	if raw, err = ix.idx.GetInternal([]byte(keyNewest)); err == nil && len(raw) == 8 {
		ix.newest.Store(int64(binary.BigEndian.Uint64(raw)))
	}
	return nil
}

// buildMapping describes the fields for bleve's metadata and for anything that consults the
// mapping (date parsing, facets). Documents are built by hand in document(), which is where the
// analysis really happens, so nothing custom needs registering in bleve's registry.
func buildMapping() *mapping.IndexMappingImpl {
	im := bleve.NewIndexMapping()
	dm := bleve.NewDocumentStaticMapping()
	kw := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Store = true
		f.DocValues = false // see optKeyword
		f.IncludeInAll = false
		return f
	}
	for _, name := range []string{fCategory, fDepartment, fStatus, fDistrict, fStreet, fChannel, fSentiment, fMatter, fMonth} {
		dm.AddFieldMappingsAt(name, kw())
	}
	tm := bleve.NewDateTimeFieldMapping()
	tm.IncludeInAll = false
	dm.AddFieldMappingsAt(fTime, tm)
	nm := bleve.NewNumericFieldMapping()
	nm.IncludeInAll = false
	dm.AddFieldMappingsAt(fSeq, nm)
	for _, name := range []string{fText, fTitle, fBody, fWords} {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = "keyword" // query text is analysed by the index package itself, never by bleve
		f.IncludeInAll = false
		dm.AddFieldMappingsAt(name, f)
	}
	im.DefaultMapping = dm
	im.DefaultAnalyzer = "keyword"
	return im
}

// closeFlushTimeout bounds how long Close waits for batches still being written to disk.
const closeFlushTimeout = 60 * time.Second

// reader opens a reader on the index's current snapshot (for scorch, an *scorch.IndexSnapshot);
// the caller closes it.
func (ix *Index) reader() (bindex.IndexReader, error) {
	adv, err := ix.idx.Advanced()
	if err != nil {
		return nil, err
	}
	return adv.Reader()
}

// Close waits until every applied batch is on disk, then closes the index. Batches are applied
// without waiting for fsync (unsafe_batch), and scorch's Close does not wait for its persister, so
// without this the last batches and the IndexedSeq mark would be lost on a clean shutdown.
// Closing twice is harmless.
func (ix *Index) Close() error {
	ix.putMu.Lock()
	defer ix.putMu.Unlock()
	if ix.closed.Swap(true) {
		return nil
	}
	ix.warmWG.Wait()
	flushErr := ix.flush()
	if flushErr == nil {
		// Every segment is on disk now: give each its column file, so the next open's first
		// search reads columns instead of doc values (a second or more at a million records).
		if sv, err := ix.snapshot(); err == nil {
			sv.Close()
		}
	}
	ix.columns.clear()
	if err := ix.idx.Close(); err != nil {
		return fmt.Errorf("close index %s: %w", ix.dir, err)
	}
	if flushErr != nil {
		return fmt.Errorf("close index %s: %w", ix.dir, flushErr)
	}
	return nil
}

// flush applies a batch that only records the close time and waits until scorch reports it
// persisted; snapshots persist in order, so everything before it is on disk too.
func (ix *Index) flush() error {
	done := make(chan error, 1)
	b := ix.idx.NewBatch()
	b.SetInternal([]byte(keyClosed), []byte(time.Now().UTC().Format(time.RFC3339Nano)))
	b.SetPersistedCallback(func(err error) {
		select {
		case done <- err:
		default:
		}
	})
	if err := ix.idx.Batch(b); err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-time.After(closeFlushTimeout):
		return fmt.Errorf("flush: not persisted after %v", closeFlushTimeout)
	}
}

// putChunk is how many records go into one bleve batch: large enough to amortise segment
// creation, small enough to bound memory.
const putChunk = 5000

// minParallelChunk is the smallest batch Put splits a call into so that two segments are built
// at once: smaller segments would cost more to merge than building them in parallel saves.
const minParallelChunk = 2048

// putWorkers is how many batches are built at once. Scorch builds each batch's segment on the
// calling goroutine, so one batch at a time leaves a core idle during bulk loads.
const putWorkers = 2

// Put indexes recs, replacing any document with the same ID. Records go in Seq order in batches
// of putChunk (or two halves, when they are fewer than two batches' worth but enough to build two
// segments at once), built putWorkers at a time. The IndexedSeq mark is written with the only
// batch, or in a batch of its own after every batch of the call is in, so it never claims a
// record that is not indexed, even if the process dies halfway.
func (ix *Index) Put(ctx context.Context, recs []*domain.Record) error {
	if len(recs) == 0 {
		return nil
	}
	sorted := slices.Clone(recs)
	slices.SortStableFunc(sorted, func(a, b *domain.Record) int { return cmp.Compare(a.Seq, b.Seq) })
	for _, rec := range sorted {
		if rec == nil || rec.ID == "" {
			return fmt.Errorf("index put: record without id")
		}
	}
	ix.putMu.Lock()
	defer ix.putMu.Unlock()
	if ix.closed.Load() {
		return ErrClosed
	}
	size := ix.chunk
	if n := len(sorted); n >= 2*minParallelChunk && n < 2*size {
		size = (n + 1) / 2 // two halves, built at once
	}
	var chunks [][]*domain.Record
	for start := 0; start < len(sorted); start += size {
		chunks = append(chunks, sorted[start:min(start+size, len(sorted))])
	}
	last := chunks[len(chunks)-1]
	maxSeq := max(ix.seq.Load(), last[len(last)-1].Seq)
	newest := ix.newest.Load()
	for _, rec := range sorted {
		if !rec.Time.IsZero() {
			newest = max(newest, rec.Time.UnixNano())
		}
	}
	if len(chunks) == 1 {
		// One batch carries its records and the mark together.
		if err := ix.putBatch(last, maxSeq, newest); err != nil {
			return err
		}
	} else {
		if err := ix.putParallel(ctx, chunks); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		// The mark goes in alone once every batch of the call is in.
		if err := ix.putBatch(nil, maxSeq, newest); err != nil {
			return err
		}
	}
	ix.seq.Store(maxSeq)
	ix.newest.Store(newest)
	ix.cursors.clear()
	ix.warmLater()
	return nil
}

// warmLater reads the sort columns of segments new since the last search in the background,
// so the first search after an import does not wait for them. At most one runs at a time;
// Close waits for it. Called with putMu held.
func (ix *Index) warmLater() {
	if !ix.warming.CompareAndSwap(false, true) {
		return
	}
	ix.warmWG.Add(1)
	go func() {
		defer ix.warmWG.Done()
		defer ix.warming.Store(false)
		if ix.closed.Load() {
			return
		}
		if sv, err := ix.snapshot(); err == nil {
			sv.Close()
		}
	}()
}

// putParallel applies chunks with up to putWorkers batches in flight, without touching the mark.
func (ix *Index) putParallel(ctx context.Context, chunks [][]*domain.Record) error {
	if len(chunks) == 0 {
		return nil
	}
	work := make(chan []*domain.Record)
	errs := make(chan error, putWorkers)
	var wg sync.WaitGroup
	for range min(putWorkers, len(chunks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for chunk := range work {
				if err := ix.putBatch(chunk, 0, 0); err != nil {
					errs <- err
					for range work { // drain so the feeder finishes
					}
					return
				}
			}
		}()
	}
	var err error
feed:
	for _, c := range chunks {
		select {
		case work <- c:
		case err = <-errs:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(work)
	wg.Wait()
	close(errs)
	if err != nil {
		return err
	}
	return <-errs // nil when the channel is empty
}

// putBatch indexes one chunk as one bleve batch, recording seq as the IndexedSeq mark and newest
// as the latest record time when non-zero.
func (ix *Index) putBatch(chunk []*domain.Record, seq uint64, newest int64) error {
	b := ix.idx.NewBatch()
	for _, rec := range chunk {
		doc, err := ix.document(rec)
		if err != nil {
			return fmt.Errorf("index put %s: %w", rec.ID, err)
		}
		if err := b.IndexAdvanced(doc); err != nil {
			return fmt.Errorf("index put %s: %w", rec.ID, err)
		}
	}
	if seq > 0 {
		var buf [8]byte
		binary.BigEndian.PutUint64(buf[:], seq)
		b.SetInternal([]byte(keySeq), buf[:])
	}
	if newest != 0 {
		var buf [8]byte
		binary.BigEndian.PutUint64(buf[:], uint64(newest))
		b.SetInternal([]byte(keyNewest), buf[:])
	}
	if err := ix.idx.Batch(b); err != nil {
		return fmt.Errorf("index put batch of %d: %w", len(chunk), err)
	}
	return nil
}

// Delete removes the documents with the given IDs; unknown IDs are ignored.
func (ix *Index) Delete(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ix.putMu.Lock()
	defer ix.putMu.Unlock()
	if ix.closed.Load() {
		return ErrClosed
	}
	b := ix.idx.NewBatch()
	for _, id := range ids {
		b.Delete(id)
	}
	if err := ix.idx.Batch(b); err != nil {
		return fmt.Errorf("index delete %d ids: %w", len(ids), err)
	}
	ix.cursors.clear()
	return nil
}

// IndexedSeq is the highest Record.Seq put so far (0 when empty): the app indexes the store's
// records above it on start.
func (ix *Index) IndexedSeq() (uint64, error) {
	return ix.seq.Load(), nil
}

// Count is the number of indexed documents.
func (ix *Index) Count() (uint64, error) {
	n, err := ix.idx.DocCount()
	if err != nil {
		return 0, fmt.Errorf("index count: %w", err)
	}
	return n, nil
}

// Options of the document fields; kept together so their cost on disk is easy to review.
const (
	optPositional = bindex.IndexField | bindex.IncludeTermVectors
	optTerms      = bindex.IndexField
	optStored     = bindex.StoreField
	// Keyword fields have no doc values: facets are counted from the postings (facetCol), and
	// only time and seq are sorted on.
	optKeyword    = bindex.IndexField | bindex.StoreField // hit fields and facets; street (Similar loads it)
	optFilterOnly = bindex.IndexField                     // matter: filtered on only; month: facet only
)

// department is the department a record is indexed under: the assigned one, else the suggestion.
func department(rec *domain.Record) string {
	if rec.Department != "" {
		return rec.Department
	}
	return rec.SuggestedDepartment()
}

// document converts a record into a bleve document without going through the mapping's
// reflection, which is both faster and lets each field carry its own analyzer.
func (ix *Index) document(rec *domain.Record) (*document.Document, error) {
	doc := document.NewDocument(rec.ID)
	title := clean(rec.Title)
	body := clean(rec.Body)
	all := make([]byte, 0, len(title)+1+len(body))
	all = append(append(append(all, title...), '\n'), body...)
	doc.AddField(newTextField(fText, all, modeText, optTerms))
	doc.AddField(newTextField(fTitle, []byte(title), modeTitle, optPositional|bindex.StoreField))
	if body != "" {
		doc.AddField(document.NewTextFieldWithIndexingOptions(fBody, nil, []byte(body), optStored))
	}
	if w := joinWords(rec.Analysis.Words); len(w) > 0 {
		doc.AddField(newTextField(fWords, w, modeWords, optTerms))
	}
	kw := func(name, v string, opts bindex.FieldIndexingOptions) {
		if v != "" {
			doc.AddField(newTextField(name, []byte(v), modeKeyword, opts))
		}
	}
	kw(fCategory, rec.Analysis.Category, optKeyword)
	kw(fDepartment, department(rec), optKeyword)
	kw(fStatus, rec.Status, optKeyword)
	kw(fDistrict, rec.Analysis.District, optKeyword)
	kw(fStreet, rec.Analysis.Street, optKeyword)
	kw(fChannel, rec.Channel, optKeyword)
	kw(fSentiment, rec.Analysis.Sentiment, optKeyword)
	kw(fMatter, rec.Analysis.Matter, optFilterOnly)
	if !rec.Time.IsZero() {
		kw(fMonth, rec.Time.In(cst).Format("2006-01"), optFilterOnly)
		doc.AddField(newTimeKey(fTime, rec.Time))
	}
	doc.AddField(newSortKey(fSeq, float64(rec.Seq)))
	return doc, nil
}

// cst is China Standard Time, the zone month facets and date queries are read in. A fixed zone
// avoids depending on the host's tzdata.
var cst = time.FixedZone("CST", 8*3600)

// clean removes the snippet marker runes from stored text so hostile input cannot forge highlights.
func clean(s string) string {
	// Both markers are private-use runes whose UTF-8 starts with 0xEE, a byte Chinese text
	// rarely has: one vectorised byte search rules them out (ContainsAny decodes every rune).
	if strings.IndexByte(s, 0xEE) < 0 || !strings.ContainsAny(s, markOpen+markClose) {
		return s
	}
	return strings.NewReplacer(markOpen, "", markClose, "").Replace(s)
}

// joinWords joins the words of two or more characters with spaces. Single-character words add
// nothing to ranking (a one-character query already matches exactly as a prefix over the bigrams)
// but would cost a posting each.
func joinWords(words []string) []byte {
	n := 0
	for _, w := range words {
		n += len(w) + 1
	}
	out := make([]byte, 0, n)
	for _, w := range words {
		if _, first := utf8.DecodeRuneInString(w); first >= len(w) || strings.IndexByte(w, ' ') >= 0 {
			continue // fewer than two characters, or not one token
		}
		if len(out) > 0 {
			out = append(out, ' ')
		}
		out = append(out, w...)
	}
	return out
}
