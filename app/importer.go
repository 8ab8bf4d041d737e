package app

import (
	"context"
	"fmt"
	"path/filepath"

	"minyi/demo"
	"minyi/domain"
	"minyi/feed"
)

// maxFileErrors bounds the per-line errors an import reports, so a wholly broken file does not
// produce a reply bigger than the file.
const maxFileErrors = 200

// Import reads .jsonl, .csv and .xlsx files through the pipeline. Rows are committed in batches;
// after each committed batch progress (if not nil) is told how many rows are durable so far, so a
// crash never loses a row that was reported. A broken file is reported and the others go on.
func (c *Core) Import(ctx context.Context, paths []string, progress func(committed int)) (ImportResult, error) {
	res := ImportResult{Errors: []RowError{}}
	committed := 0
	for _, path := range paths {
		base := committed
		stats, counts, err := c.ingestFile(ctx, path, feed.ReadOptions{Source: filepath.Base(path)}, func(n int) {
			committed = base + n
			if progress != nil {
				progress(committed)
			}
		})
		res.New += counts.New
		res.Duplicate += counts.Duplicate
		res.Read += stats.Read + stats.Rejected // every row seen, good or refused
		res.Rejected += stats.Rejected
		for _, e := range stats.Errors {
			if len(res.Errors) < maxFileErrors {
				res.Errors = append(res.Errors, RowError{File: filepath.Base(path), Line: e.Line, Error: e.Error})
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			// The whole file is unreadable (not an xlsx, missing …): report it and go on.
			res.Errors = append(res.Errors, RowError{File: filepath.Base(path), Error: err.Error()})
			c.Log.Warn("import file failed", "file", path, "err", err)
		}
	}
	c.groupAfterIntake(ctx)
	return res, nil
}

// ingestFile streams one file through the pipeline in batches of batchSize rows; after each
// store commit progress (if not nil) is told how many of the file's rows are durable so far.
// It returns what the reader saw and how many rows were new or duplicates.
func (c *Core) ingestFile(ctx context.Context, path string, opt feed.ReadOptions, progress func(committed int)) (feed.FileStats, PullResult, error) {
	var counts PullResult
	batch := make([]domain.Item, 0, batchSize)
	committed := 0
	// One indexer for the whole file: the file's batches are indexed while the next are read
	// and analysed, and the import returns once all of them are searchable.
	ix := c.startIndexing(ctx)
	defer ix.finish()
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := c.commitItems(ctx, batch, &counts, progressFrom(progress, committed), ix)
		committed += len(batch)
		batch = batch[:0]
		return err
	}
	stats, err := feed.ReadFile(ctx, path, opt, func(_ int, it domain.Item) error {
		batch = append(batch, it)
		if len(batch) == batchSize {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return stats, counts, err
}

// LoadDemo loads the built-in demo messages (idempotent: a second load finds them all duplicates).
func (c *Core) LoadDemo(ctx context.Context) (ImportResult, error) {
	items, err := demo.Items(c.Now())
	if err != nil {
		return ImportResult{}, fmt.Errorf("load demo data: %w", err)
	}
	out, err := c.Ingest(ctx, items)
	c.groupAfterIntake(ctx)
	res := ImportResult{Read: len(items), Errors: []RowError{}}
	var fresh []string
	for _, o := range out {
		if o.Duplicate {
			res.Duplicate++
		} else {
			res.New++
			fresh = append(fresh, o.ID)
		}
	}
	if err != nil {
		return res, err
	}
	return res, c.seedDemoHistory(ctx, fresh)
}
