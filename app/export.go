package app

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/xuri/excelize/v2"

	"minyi/domain"
	"minyi/index"
	"minyi/store"
)

// Export formats.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
)

// ErrExportFormat means the export format is neither xlsx nor csv.
var ErrExportFormat = errors.New("导出格式只能是 xlsx 或 csv")

// ErrExportNotFound means no export job has the requested id (jobs live as long as the console).
var ErrExportNotFound = errors.New("没有这个导出任务")

// exportPage is how many hits one index page holds while exporting; the index continues each
// time-sorted page from the previous one (search_after), so every page costs the same.
const exportPage = index.MaxLimit

// maxCellRunes keeps a cell under Excel's limit of 32,767 characters.
const maxCellRunes = 32000

// exportHeaders are the columns of an export, in order.
var exportHeaders = []string{"编号", "时间", "渠道", "来源", "标题", "正文", "分类", "事项", "区县", "街道", "承办部门", "状态", "情感", "优先级", "办理时限", "来信人", "原文链接"}

// ExportOptions says how to write an export.
type ExportOptions struct {
	Format   string // FormatXLSX or FormatCSV
	Unmasked bool   // write personal data as received; audited with Actor
	Actor    string // who asked, for the audit entry of an unmasked export
	// Progress, when set, is called after each page with the rows written so far and the total.
	Progress func(done, total int)
}

// Export writes every record matching q (not just one page), newest first, to w as XLSX or CSV.
// Titles, bodies and writers are masked (脱敏) unless opt.Unmasked, which is recorded in the
// audit chain before anything is written. Memory stays constant: the index is read a page at a
// time and the XLSX is streamed (excelize keeps large sheets in a temporary file).
func (c *Core) Export(ctx context.Context, q SearchQuery, w io.Writer, opt ExportOptions) (int, error) {
	if opt.Format != FormatXLSX && opt.Format != FormatCSV {
		return 0, fmt.Errorf("export %q: %w", opt.Format, ErrExportFormat)
	}
	iq, err := toIndexQuery(q)
	if err != nil {
		return 0, err
	}
	iq.Sort, iq.Limit, iq.Offset, iq.Facets, iq.Highlight = index.SortTime, exportPage, 0, false, false
	if q.Sort == index.SortTimeAsc {
		iq.Sort = index.SortTimeAsc
	}
	if opt.Unmasked {
		entry := store.AuditEntry{Time: c.Now(), Actor: opt.Actor, Action: "导出（未脱敏）", Detail: describeQuery(q)}
		if _, err := c.Store.AppendAudit(ctx, entry); err != nil {
			return 0, fmt.Errorf("audit unmasked export: %w", err)
		}
	}
	var sink rowSink
	switch opt.Format {
	case FormatXLSX:
		sink, err = newXLSXSink(w)
	default:
		sink, err = newCSVSink(w)
	}
	if err != nil {
		return 0, err
	}
	defer sink.Close()
	if err := sink.Write(exportHeaders); err != nil {
		return 0, err
	}
	done := 0
	for {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		res, err := c.Index.Search(ctx, iq)
		if err != nil {
			return done, fmt.Errorf("export page at %d: %w", iq.Offset, err)
		}
		for _, h := range res.Hits {
			r, err := c.Store.Get(ctx, h.ID)
			if errors.Is(err, store.ErrNotFound) {
				continue // deleted since it was indexed
			}
			if err != nil {
				return done, err
			}
			if err := sink.Write(exportRow(r, !opt.Unmasked)); err != nil {
				return done, err
			}
			done++
		}
		iq.Offset += len(res.Hits)
		if opt.Progress != nil {
			opt.Progress(done, max(int(res.Total), done))
		}
		if len(res.Hits) < iq.Limit || uint64(iq.Offset) >= res.Total {
			break
		}
	}
	return done, sink.Finish()
}

// describeQuery says in the officer's words what was searched, for the audit trail.
func describeQuery(q SearchQuery) string {
	parts := []string{fmt.Sprintf("检索词「%s」", q.Query)}
	add := func(name, v string) {
		if v != "" {
			parts = append(parts, name+"="+v)
		}
	}
	add("分类", q.Category)
	add("部门", q.Department)
	add("状态", q.Status)
	add("区县", q.District)
	add("渠道", q.Channel)
	add("情感", q.Sentiment)
	add("起", q.Since)
	add("止", q.Until)
	return strings.Join(parts, "，")
}

// exportRow is one record as the columns of exportHeaders.
func exportRow(r *domain.Record, masked bool) []string {
	title, body, author := r.Title, r.Body, r.Author
	if masked {
		title, body, author = Mask(title), Mask(body), MaskAuthor(author)
	}
	dept := r.Department
	if dept == "" {
		dept = r.SuggestedDepartment()
	}
	due := ""
	if !r.Due.IsZero() {
		due = r.Due.In(cst).Format("2006-01-02 15:04")
	}
	return []string{
		r.ID, r.Time.In(cst).Format("2006-01-02 15:04"), r.Channel, r.Source, clip(title), clip(body),
		r.Analysis.Category, r.Analysis.Matter, r.Analysis.District, r.Analysis.Street, dept, r.Status,
		r.Analysis.Sentiment, fmt.Sprint(r.Analysis.Priority), due, author, r.URL,
	}
}

func clip(s string) string {
	if len(s) <= maxCellRunes {
		return s
	}
	rs := []rune(s)
	if len(rs) <= maxCellRunes {
		return s
	}
	return string(rs[:maxCellRunes]) + "…"
}

// rowSink is an export format: Write each row, Finish once, Close always.
type rowSink interface {
	Write(cells []string) error
	Finish() error
	Close() error
}

// csvSink writes UTF-8 CSV with a byte-order mark, which Excel needs to read Chinese correctly.
type csvSink struct {
	buf *bufio.Writer
	w   *csv.Writer
}

func newCSVSink(w io.Writer) (*csvSink, error) {
	buf := bufio.NewWriterSize(w, 64<<10)
	if _, err := buf.WriteString("\uFEFF"); err != nil {
		return nil, fmt.Errorf("write csv: %w", err)
	}
	cw := csv.NewWriter(buf)
	cw.UseCRLF = true // what Excel on Windows writes and expects
	return &csvSink{buf: buf, w: cw}, nil
}

func (s *csvSink) Write(cells []string) error {
	for i, c := range cells {
		cells[i] = defuseFormula(c)
	}
	if err := s.w.Write(cells); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

func (s *csvSink) Finish() error {
	s.w.Flush()
	if err := s.w.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	if err := s.buf.Flush(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

func (s *csvSink) Close() error { return nil }

// defuseFormula keeps a citizen's text from running as a spreadsheet formula when the CSV is
// opened (CSV injection): a cell starting with = + - @ or a control character gets a leading '.
func defuseFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// xlsxSink streams rows into one sheet; XLSX cells are typed strings, never formulas.
type xlsxSink struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	w   io.Writer
	row int
}

// exportWidths are the column widths of an XLSX export, in characters.
var exportWidths = []float64{10, 17, 8, 16, 30, 80, 12, 12, 10, 12, 24, 10, 8, 7, 17, 12, 30}

func newXLSXSink(w io.Writer) (*xlsxSink, error) {
	f := excelize.NewFile()
	const sheet = "检索结果"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		f.Close()
		return nil, fmt.Errorf("create xlsx: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("create xlsx: %w", err)
	}
	for i, wd := range exportWidths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			f.Close()
			return nil, fmt.Errorf("create xlsx: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		f.Close()
		return nil, fmt.Errorf("create xlsx: %w", err)
	}
	return &xlsxSink{f: f, sw: sw, w: w}, nil
}

func (s *xlsxSink) Write(cells []string) error {
	s.row++
	vals := make([]any, len(cells))
	for i, c := range cells {
		vals[i] = c
	}
	cell, err := excelize.CoordinatesToCellName(1, s.row)
	if err != nil {
		return err
	}
	if err := s.sw.SetRow(cell, vals); err != nil {
		return fmt.Errorf("write xlsx row %d: %w", s.row, err)
	}
	return nil
}

func (s *xlsxSink) Finish() error {
	if err := s.sw.Flush(); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	if err := s.f.Write(s.w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

func (s *xlsxSink) Close() error { return s.f.Close() }

// Export job states, as the 检索 screen shows them.
const (
	ExportRunning  = "进行中"
	ExportDone     = "已完成"
	ExportCanceled = "已取消"
	ExportFailed   = "失败"
)

// ExportJob is an export running in the background for the 检索 screen's progress bar.
type ExportJob struct {
	ID       string `json:"id"`
	State    string `json:"state"` // 进行中 已完成 已取消 失败
	Done     int    `json:"done"`
	Total    int    `json:"total"`
	Format   string `json:"format"`
	Unmasked bool   `json:"unmasked"`
	Path     string `json:"path,omitempty"`  // the finished file
	Error    string `json:"error,omitempty"` // for 失败, in Chinese
	Started  string `json:"started"`         // RFC 3339
}

// exportJobs tracks the background exports of one console. Jobs are kept in memory only; they
// run under the UI's context, so a console that stops cancels them and removes partial files.
type exportJobs struct {
	mu   sync.Mutex
	jobs map[string]*exportJob
	wg   sync.WaitGroup
}

type exportJob struct {
	ExportJob
	cancel context.CancelFunc
}

func newExportJobs() *exportJobs { return &exportJobs{jobs: map[string]*exportJob{}} }

// maxKeptJobs bounds how many finished jobs are remembered for ExportStatus.
const maxKeptJobs = 50

// exportDir is where the console writes export files.
func (c *Core) exportDir() string { return filepath.Join(c.DataDir, "exports") }

// start runs an export of q in the background into <data>/exports/<id>.<format>.
func (j *exportJobs) start(parent context.Context, c *Core, q SearchQuery, format string, unmasked bool, actor string) (ExportJob, error) {
	format = strings.ToLower(strings.TrimSpace(format))
	if format != FormatXLSX && format != FormatCSV {
		return ExportJob{}, fmt.Errorf("export %q: %w", format, ErrExportFormat)
	}
	if _, err := toIndexQuery(q); err != nil {
		return ExportJob{}, err
	}
	if err := os.MkdirAll(c.exportDir(), 0o700); err != nil {
		return ExportJob{}, fmt.Errorf("create export dir: %w", err)
	}
	now := c.Now()
	id, err := newExportID(now)
	if err != nil {
		return ExportJob{}, err
	}
	ctx, cancel := context.WithCancel(parent)
	job := &exportJob{ExportJob: ExportJob{ID: id, State: ExportRunning, Format: format, Unmasked: unmasked,
		Started: now.In(cst).Format(time.RFC3339)}, cancel: cancel}
	started := job.ExportJob // what the caller gets, copied before the export goroutine can change it
	j.mu.Lock()
	j.jobs[id] = job
	j.forgetOld()
	j.wg.Add(1)
	j.mu.Unlock()
	final := filepath.Join(c.exportDir(), id+"."+format)
	go func() {
		defer j.wg.Done()
		defer cancel()
		n, err := c.ExportFile(ctx, q, final, ExportOptions{Format: format, Unmasked: unmasked, Actor: actor,
			Progress: func(done, total int) {
				j.mu.Lock()
				job.Done, job.Total = done, total
				j.mu.Unlock()
			}})
		j.mu.Lock()
		defer j.mu.Unlock()
		job.Done = n
		switch {
		case err == nil:
			job.State, job.Path, job.Total = ExportDone, final, n
		case errors.Is(err, context.Canceled):
			job.State = ExportCanceled
		default:
			job.State, job.Error = ExportFailed, "导出失败："+firstClause(err.Error())
			c.Log.Error("export", "id", id, "err", err)
		}
	}()
	return started, nil
}

// ExportFile writes the export to path through a temporary file, so a canceled or failed export
// never leaves a file that looks complete.
func (c *Core) ExportFile(ctx context.Context, q SearchQuery, path string, opt ExportOptions) (int, error) {
	tmp := path + ".part"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, fmt.Errorf("create export %s: %w", tmp, err)
	}
	n, err := c.Export(ctx, q, f, opt)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close export %s: %w", tmp, cerr)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return n, err
	}
	return n, nil
}

// forgetOld drops the oldest finished jobs beyond maxKeptJobs; j.mu is held.
func (j *exportJobs) forgetOld() {
	if len(j.jobs) <= maxKeptJobs {
		return
	}
	var finished []*exportJob
	for _, job := range j.jobs {
		if job.State != ExportRunning {
			finished = append(finished, job)
		}
	}
	sort.Slice(finished, func(a, b int) bool { return finished[a].ID < finished[b].ID })
	for _, job := range finished[:max(0, min(len(finished), len(j.jobs)-maxKeptJobs))] {
		delete(j.jobs, job.ID)
	}
}

func (j *exportJobs) status(id string) (ExportJob, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job, ok := j.jobs[id]
	if !ok {
		return ExportJob{}, fmt.Errorf("export %q: %w", id, ErrExportNotFound)
	}
	return job.ExportJob, nil
}

// cancelJob stops a running job; the state becomes 已取消 once its goroutine has cleaned up.
func (j *exportJobs) cancelJob(id string) (ExportJob, error) {
	j.mu.Lock()
	job, ok := j.jobs[id]
	j.mu.Unlock()
	if !ok {
		return ExportJob{}, fmt.Errorf("export %q: %w", id, ErrExportNotFound)
	}
	job.cancel()
	return j.status(id)
}

// wait blocks until every job has finished (tests).
func (j *exportJobs) wait() { j.wg.Wait() }

// newExportID names a job and its file: time first so files sort by when they were made, then
// random hex so two exports in one second differ. Only these ids ever name export files.
func newExportID(now time.Time) (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("export id: %w", err)
	}
	return "export-" + now.In(cst).Format("20060102-150405") + "-" + hex.EncodeToString(b[:]), nil
}
