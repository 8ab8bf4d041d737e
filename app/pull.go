package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"minyi/domain"
	"minyi/feed"
)

// Pulling a source: fetch → Ingest (committed to the store) → only then the cursor and health,
// so a crash at any point re-pulls rather than loses.

// sourceFailure marks an error of the source itself (unreachable, not a feed, malformed), as
// opposed to a failure of Minyi's own storage.
type sourceFailure struct{ err error }

func (e *sourceFailure) Error() string { return e.err.Error() }
func (e *sourceFailure) Unwrap() error { return e.err }

// pullErrorText is the officer's sentence for a failed pull.
func pullErrorText(err error) string {
	var sf *sourceFailure
	s := err.Error()
	switch {
	case containsHan(s) && errors.As(err, &sf):
		return firstClause(s) // the feed package's own sentence, e.g. 服务器 20 秒内没有响应
	case errors.Is(err, context.Canceled):
		return "拉取被中断（程序退出或已取消），下次会重新拉取，已入库的信件不受影响"
	case errors.Is(err, context.DeadlineExceeded):
		return "拉取超时，下次会重新拉取"
	case errors.As(err, &sf):
		return "拉取失败：" + s
	case containsHan(s):
		return "保存拉取到的信件失败：" + firstClause(s)
	}
	return "保存拉取到的信件失败：" + s
}

// seenIn is the feed's "already stored?" question, asked of the store by source id.
func (c *Core) seenIn(ctx context.Context, source string) func(string) bool {
	return func(id string) bool {
		_, dup, err := c.Store.Lookup(ctx, source, id, "")
		return err == nil && dup
	}
}

// commitItems runs items through the pipeline in store-sized batches, counting new and
// duplicate records in res; progress hears how many items are durable after each store commit. The
// records go to ix; with a nil ix commitItems indexes them itself and returns once they are.
func (c *Core) commitItems(ctx context.Context, items []domain.Item, res *PullResult, progress func(committed int), ix *indexer) error {
	if ix == nil {
		ix = c.startIndexing(ctx)
		defer ix.finish()
	}
	for start := 0; start < len(items); start += batchSize {
		end := min(start+batchSize, len(items))
		out, err := c.ingestWith(ctx, items[start:end], ix, progressFrom(progress, start))
		for _, o := range out {
			switch {
			case o.Duplicate:
				res.Duplicate++
			case o.ID != "":
				res.New++
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// progressFrom is progress counting on from base (it hears base+done), or nil when progress is.
func progressFrom(progress func(committed int), base int) func(done int) {
	if progress == nil {
		return nil
	}
	return func(done int) { progress(base + done) }
}

// pull fetches src from cursor st and commits its new items. It returns the cursor to save, which
// the caller must save only now that the items are committed. A failure of the source is a
// *sourceFailure; any other error is Minyi's (the store) or the context's.
func (c *Core) pull(ctx context.Context, f *feed.Fetcher, src feed.Source, st feed.State, progress func(int)) (PullResult, feed.State, error) {
	res := PullResult{Source: src.Name}
	b, err := f.Pull(ctx, src, st, c.seenIn(ctx, src.Name))
	res.Read, res.Rejected, res.Duplicate, res.Notes = b.Read, b.Rejected, b.Seen, b.Errors
	if err != nil {
		if ctx.Err() != nil {
			return res, st, ctx.Err()
		}
		return res, st, &sourceFailure{err}
	}
	err = c.commitItems(ctx, b.Items, &res, progress, nil)
	c.afterPull(ctx, res)
	if err != nil {
		return res, st, err
	}
	return res, b.State, nil
}

// afterPull joins newly stored near-duplicates to their open cases, once per pull (as imports do).
func (c *Core) afterPull(ctx context.Context, res PullResult) {
	if res.New > 0 && ctx.Err() == nil {
		c.groupAfterIntake(ctx)
	}
}

// PullSource pulls the named source once: fetch → Ingest (committed to the store) → only then
// save the source's new cursor, in one transaction with its health. A crash anywhere before that
// re-pulls rather than loses, and the re-pulled items are found as duplicates. A failure of the
// source itself is reported in PullResult.Error (plain Chinese) and counted in its health with a
// nil error; the error is for an unknown source, a failing store or a cancelled ctx.
func (c *Core) PullSource(ctx context.Context, f *feed.Fetcher, name string, progress func(committed int)) (PullResult, error) {
	src, err := c.source(ctx, strings.TrimSpace(name))
	if err != nil {
		return PullResult{Source: name, Error: firstClause(err.Error())}, err
	}
	var st feed.State
	if _, err := c.Store.GetDoc(ctx, stateDocPrefix+src.Name, &st); err != nil {
		return PullResult{Source: src.Name, Error: pullErrorText(err)}, err
	}
	h, err := c.health(ctx, src.Name)
	if err != nil {
		return PullResult{Source: src.Name, Error: pullErrorText(err)}, err
	}
	began, start := c.Now(), time.Now()
	res, next, err := c.pull(ctx, f, src, st, progress)
	h.LastRun, h.DurationMS = began, time.Since(start).Milliseconds()
	h.Read, h.New, h.Duplicate, h.Rejected = res.Read, res.New, res.Duplicate, res.Rejected
	h.Notes = res.Notes[:min(len(res.Notes), maxNotes)]
	docs := map[string]any{}
	var sf *sourceFailure
	switch {
	case err == nil:
		h.LastError, h.Failures, h.LastSuccess = "", 0, began
		if now, gerr := c.source(ctx, src.Name); gerr == nil && now.Kind == src.Kind && now.URL == src.URL && now.Folder == src.Folder {
			docs[stateDocPrefix+src.Name] = next
		}
	case errors.As(err, &sf):
		res.Error = pullErrorText(err)
		h.LastError, h.Failures = res.Error, h.Failures+1
		err = nil
	default: // interrupted or the store failed: not the source's fault, so not counted against it
		res.Error = pullErrorText(err)
		h.LastError = res.Error
	}
	docs[healthDocPrefix+src.Name] = h
	if perr := c.Store.PutDocs(context.WithoutCancel(ctx), docs); perr != nil && err == nil {
		err = perr
	}
	c.Log.Info("source pulled", "source", src.Name, "read", res.Read, "new", res.New, "duplicate", res.Duplicate,
		"rejected", res.Rejected, "error", res.Error, "failures", h.Failures, "took", time.Since(start))
	return res, err
}

// maxDownload bounds a file fetched by PullURL (12345 exports are bigger than feeds).
const maxDownload = 200 << 20

// PullURL pulls an address that need not be configured (`minyi pull --url`). format is rss, atom,
// jsonfeed, json or html (read as a source of that kind) or csv, xlsx, jsonl (downloaded, then
// read like an import). When a configured source has this address its name, channel and mapping
// are used, else the host name: records keep that source name, so pulling again finds duplicates.
// No cursor or health is kept. A failure of the address is in PullResult.Error with a nil error.
func (c *Core) PullURL(ctx context.Context, f *feed.Fetcher, rawURL, format string, timeout time.Duration, progress func(committed int)) (PullResult, error) {
	format = strings.ToLower(strings.TrimSpace(format))
	kind, ok := kindOf(format)
	if !ok || format == "" {
		return PullResult{Error: "--format 应为 rss、atom、jsonfeed、json、html、csv、xlsx 或 jsonl"}, nil
	}
	src := feed.Source{URL: strings.TrimSpace(rawURL), Kind: kind, Channel: domain.ChannelOther, Timeout: timeout}
	u, err := url.Parse(src.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return PullResult{Error: fmt.Sprintf("网址“%s”无效：应以 http:// 或 https:// 开头", rawURL)}, nil
	}
	src.Name = u.Hostname()
	if l, err := c.sourceList(ctx); err == nil {
		for _, s := range l.Sources {
			if s.URL == src.URL && s.URL != "" {
				src.Name, src.Channel, src.Mapping, src.MaxBytes = s.Name, s.Channel, s.Mapping, s.MaxBytes
			}
		}
	}
	var res PullResult
	if kind == feed.KindFolder {
		res, err = c.pullFileURL(ctx, src, "."+format, progress)
	} else {
		res, _, err = c.pull(ctx, f, src, feed.State{}, progress)
	}
	res.Source = src.Name
	var sf *sourceFailure
	switch {
	case err == nil:
	case errors.As(err, &sf):
		res.Error = pullErrorText(err)
		err = nil
	default:
		res.Error = pullErrorText(err)
	}
	c.Log.Info("url pulled", "url", src.URL, "source", src.Name, "read", res.Read, "new", res.New,
		"duplicate", res.Duplicate, "rejected", res.Rejected, "error", res.Error)
	return res, err
}

// pullFileURL downloads an export file into a temporary directory and reads it like an import.
func (c *Core) pullFileURL(ctx context.Context, src feed.Source, ext string, progress func(int)) (PullResult, error) {
	res := PullResult{Source: src.Name}
	dir, err := os.MkdirTemp("", "minyi-pull-")
	if err != nil {
		return res, fmt.Errorf("create download directory: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "download"+ext)
	if err := download(ctx, src.URL, path, src.Timeout); err != nil {
		return res, &sourceFailure{err}
	}
	stats, counts, err := c.ingestFile(ctx, path, feed.ReadOptions{Source: src.Name, Channel: src.Channel}, progress)
	res.New, res.Duplicate = counts.New, counts.Duplicate
	c.afterPull(ctx, res)
	res.Read, res.Rejected = stats.Read+stats.Rejected, stats.Rejected
	for _, e := range stats.Errors[:min(len(stats.Errors), maxNotes)] {
		res.Notes = append(res.Notes, fmt.Sprintf("第 %d 行：%s", e.Line, e.Error))
	}
	if err != nil && ctx.Err() == nil && errors.Is(err, feed.ErrBadFile) {
		return res, &sourceFailure{err}
	}
	return res, err
}

// download saves rawURL to path, refusing more than maxDownload bytes.
func download(ctx context.Context, rawURL, path string, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = feed.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return fmt.Errorf("网址“%s”无效", rawURL)
	}
	req.Header.Set("User-Agent", feed.UserAgent)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("下载超时（%s 内未完成）", timeout)
		}
		return fmt.Errorf("无法下载 %s：%v", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("服务器返回 %d，无法下载文件", resp.StatusCode)
	}
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	n, err := io.Copy(out, io.LimitReader(resp.Body, maxDownload+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	switch {
	case n > maxDownload:
		return fmt.Errorf("文件超过 %d MB 上限", maxDownload>>20)
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("下载超时（%s 内未完成）", timeout)
	case err != nil:
		return fmt.Errorf("下载中断：%v", err)
	}
	return nil
}
