package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"minyi/domain"
	"minyi/feed"
)

// Sources (数据源) are stored as kv documents in the store: the list of configs in one document
// (edited atomically with Store.UpdateDoc, its Rev bumped on every change so the scheduler can
// notice), and per source its cursor (feed.State) and its health, written together after a pull.
const (
	sourcesDocName  = "sources"
	sourcesFileDoc  = "sources_file_hash" // hash of the sources.json last applied
	stateDocPrefix  = "source_state/"
	healthDocPrefix = "source_health/"
)

// SourcesFile is the optional config file in the data directory declaring sources; it is applied
// on start whenever its content has changed since it was last applied.
const SourcesFile = "sources.json"

// DefaultSchedule is the pull schedule of a source saved without one.
const DefaultSchedule = "@every 30m"

// FailureBannerAt is how many consecutive failures put a source's banner in the status bar.
const FailureBannerAt = 3

// ErrSourceNotFound means no source has the requested name.
var ErrSourceNotFound = errors.New("没有这个数据源")

// ErrInvalidSource means a source's settings cannot be saved as given (the message says which).
var ErrInvalidSource = errors.New("数据源设置有误")

// ErrPullRunning means the source is being pulled already; the new pull was not started.
var ErrPullRunning = errors.New("该数据源正在拉取中")

// SourceConfig is a source as the 数据源 screen edits it and sources.json declares it.
type SourceConfig struct {
	Name           string `json:"name"`
	Channel        string `json:"channel"`  // 信访 12345 留言板 信箱 媒体 其他 (default 其他)
	Kind           string `json:"kind"`     // rss (also atom, jsonfeed), json, html, folder (also csv, xlsx, jsonl)
	URL            string `json:"url"`      // rss, json, html
	Folder         string `json:"folder"`   // folder
	Schedule       string `json:"schedule"` // cron spec, seconds optional, or @every 5m (default @every 30m)
	Enabled        bool   `json:"enabled"`
	TimeoutSeconds int    `json:"timeout_seconds"` // per request, default 20
	MaxMB          int    `json:"max_mb"`          // per response, default 20
	// Mapping says where json/html sources keep their fields and renames folder columns.
	// nil keeps the mapping already saved (the screen does not edit it yet).
	Mapping *feed.Mapping `json:"mapping,omitempty"`
}

// SourceView is one row of the 数据源 screen: the source's settings and how its pulls went.
type SourceView struct {
	Name           string        `json:"name"`
	Channel        string        `json:"channel"`
	Kind           string        `json:"kind"`
	URL            string        `json:"url"`
	Folder         string        `json:"folder"`
	Schedule       string        `json:"schedule"`
	Enabled        bool          `json:"enabled"`
	TimeoutSeconds int           `json:"timeout_seconds"`
	MaxMB          int           `json:"max_mb"`
	Mapping        *feed.Mapping `json:"mapping,omitempty"`
	LastRun        time.Time     `json:"last_run"`
	LastDurationMS int64         `json:"last_duration_ms"`
	LastRead       int           `json:"last_read"`
	LastNew        int           `json:"last_new"`
	LastDuplicate  int           `json:"last_duplicate"`
	LastRejected   int           `json:"last_rejected"`
	LastError      string        `json:"last_error"`   // plain Chinese; "" after a good pull
	LastNotes      []string      `json:"last_notes"`   // why entries were rejected, first few
	LastSuccess    time.Time     `json:"last_success"` // last pull that worked
	Failures       int           `json:"failures"`     // consecutive failed pulls
}

// PullResult is what one pull did; `minyi pull` prints it as one JSON line.
type PullResult struct {
	Source    string   `json:"source"`
	Read      int      `json:"read"`      // entries the source delivered
	New       int      `json:"new"`       // stored as new records
	Duplicate int      `json:"duplicate"` // already stored (same source id or same content)
	Rejected  int      `json:"rejected"`  // refused (no text, mojibake, repeated id …)
	Error     string   `json:"error"`     // why the source itself failed, in plain Chinese; "" when it worked
	Notes     []string `json:"-"`         // reasons for rejected entries, for logs and the health row
}

// sourceList is the stored list of source configs.
type sourceList struct {
	Rev     uint64        `json:"rev"`
	Sources []feed.Source `json:"sources"`
}

// sourceHealth is a source's record of its pulls.
type sourceHealth struct {
	LastRun     time.Time `json:"last_run"`
	DurationMS  int64     `json:"duration_ms"`
	Read        int       `json:"read"`
	New         int       `json:"new"`
	Duplicate   int       `json:"duplicate"`
	Rejected    int       `json:"rejected"`
	LastError   string    `json:"last_error,omitempty"`
	Notes       []string  `json:"notes,omitempty"`
	LastSuccess time.Time `json:"last_success"`
	Failures    int       `json:"failures"`
}

// maxNotes bounds the rejection reasons kept in a source's health.
const maxNotes = 20

// sourceError is an invalid-setting error whose text is the officer's sentence.
type sourceError struct{ msg string }

func (e *sourceError) Error() string { return e.msg }
func (e *sourceError) Unwrap() error { return ErrInvalidSource }

func invalid(format string, a ...any) error { return &sourceError{msg: fmt.Sprintf(format, a...)} }

// scheduleParser reads cron specs with optional seconds and @every/@hourly descriptors.
func scheduleParser() cron.Parser {
	return cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
}

// ParseSchedule checks a pull schedule, with a Chinese message when it cannot be read.
func ParseSchedule(spec string) (cron.Schedule, error) {
	sch, err := scheduleParser().Parse(strings.TrimSpace(spec))
	if err != nil {
		return nil, invalid("拉取计划“%s”无法识别：应为 @every 30m 这样的间隔，或 cron 表达式（如 */15 * * * *，可带秒：0 */10 * * * *）", spec)
	}
	return sch, nil
}

// kindOf maps what officers and the CLI call a kind to the feed package's kinds.
func kindOf(k string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(k)) {
	case "", feed.KindRSS, "atom", "jsonfeed", "feed":
		return feed.KindRSS, true
	case feed.KindJSON:
		return feed.KindJSON, true
	case feed.KindHTML:
		return feed.KindHTML, true
	case feed.KindFolder, "csv", "xlsx", "jsonl", "tsv":
		return feed.KindFolder, true
	}
	return "", false
}

// sourceFromConfig validates cfg and turns it into the stored source. old is the saved version
// (nil for a new source): a nil Mapping keeps its mapping.
func sourceFromConfig(cfg SourceConfig, old *feed.Source) (feed.Source, error) {
	s := feed.Source{Name: strings.TrimSpace(cfg.Name), Enabled: cfg.Enabled}
	switch {
	case s.Name == "":
		return s, invalid("请填写数据源名称")
	case len([]rune(s.Name)) > 60:
		return s, invalid("数据源名称过长（最多 60 个字）")
	case strings.ContainsAny(s.Name, "\x00\n\r\t/"):
		return s, invalid("数据源名称不能包含斜杠或换行")
	}
	s.Channel = domain.ChannelOther
	if c := strings.TrimSpace(cfg.Channel); c != "" {
		ch, ok := feed.NormalizeChannel(c)
		if !ok {
			return s, invalid("渠道“%s”无法识别：应为 %s 之一", c, strings.Join(domain.Channels(), "、"))
		}
		s.Channel = ch
	}
	kind, ok := kindOf(cfg.Kind)
	if !ok {
		return s, invalid("类型“%s”无法识别：应为 rss（含 Atom、JSON Feed）、json、html 或 folder", cfg.Kind)
	}
	s.Kind = kind
	if kind == feed.KindFolder {
		s.Folder = strings.TrimSpace(cfg.Folder)
		if s.Folder == "" {
			return s, invalid("请填写要监视的文件夹")
		}
		if !filepath.IsAbs(s.Folder) {
			return s, invalid("文件夹应写完整路径（如 /data/12345），而不是“%s”", s.Folder)
		}
	} else {
		s.URL = strings.TrimSpace(cfg.URL)
		u, err := url.Parse(s.URL)
		if s.URL == "" {
			return s, invalid("请填写网址")
		}
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return s, invalid("网址“%s”无效：应以 http:// 或 https:// 开头", s.URL)
		}
	}
	s.Schedule = strings.TrimSpace(cfg.Schedule)
	if s.Schedule == "" {
		s.Schedule = DefaultSchedule
	}
	if _, err := ParseSchedule(s.Schedule); err != nil {
		return s, err
	}
	switch {
	case cfg.TimeoutSeconds < 0 || cfg.TimeoutSeconds > 600:
		return s, invalid("超时应在 1 到 600 秒之间")
	case cfg.TimeoutSeconds > 0:
		s.Timeout = time.Duration(cfg.TimeoutSeconds) * time.Second
	}
	switch {
	case cfg.MaxMB < 0 || cfg.MaxMB > 1024:
		return s, invalid("大小上限应在 1 到 1024 MB 之间")
	case cfg.MaxMB > 0:
		s.MaxBytes = int64(cfg.MaxMB) << 20
	}
	switch {
	case cfg.Mapping != nil:
		s.Mapping = *cfg.Mapping
	case old != nil:
		s.Mapping = old.Mapping
	}
	switch kind {
	case feed.KindJSON:
		if s.Mapping.Title == "" && s.Mapping.Body == "" {
			return s, invalid("JSON 接口需要字段映射：至少填写标题（title）或正文（body）字段的路径")
		}
	case feed.KindHTML:
		if strings.TrimSpace(s.Mapping.Item) == "" {
			return s, invalid("网页列表需要字段映射：至少填写条目选择器（item），如 ul.list li")
		}
	}
	return s, nil
}

// viewOf is the screen's row for a stored source and its health.
func viewOf(s feed.Source, h sourceHealth) SourceView {
	v := SourceView{
		Name: s.Name, Channel: s.Channel, Kind: s.Kind, URL: s.URL, Folder: s.Folder, Schedule: s.Schedule,
		Enabled: s.Enabled, TimeoutSeconds: int(s.Timeout / time.Second), MaxMB: int(s.MaxBytes >> 20),
		LastRun: h.LastRun, LastDurationMS: h.DurationMS, LastRead: h.Read, LastNew: h.New,
		LastDuplicate: h.Duplicate, LastRejected: h.Rejected, LastError: h.LastError, LastNotes: h.Notes,
		LastSuccess: h.LastSuccess, Failures: h.Failures,
	}
	if v.TimeoutSeconds == 0 {
		v.TimeoutSeconds = int(feed.DefaultTimeout / time.Second)
	}
	if v.MaxMB == 0 {
		v.MaxMB = feed.DefaultMaxBytes >> 20
	}
	if v.LastNotes == nil {
		v.LastNotes = []string{}
	}
	if !isZeroMapping(s.Mapping) {
		m := s.Mapping
		v.Mapping = &m
	}
	return v
}

// isZeroMapping reports a mapping with no field set (Mapping holds a map, so == cannot say).
func isZeroMapping(m feed.Mapping) bool {
	b, _ := json.Marshal(m)
	return string(b) == "{}"
}

// sourceList reads the stored configs.
func (c *Core) sourceList(ctx context.Context) (sourceList, error) {
	var l sourceList
	if _, err := c.Store.GetDoc(ctx, sourcesDocName, &l); err != nil {
		return l, fmt.Errorf("read sources: %w", err)
	}
	return l, nil
}

// source returns the stored config of one source.
func (c *Core) source(ctx context.Context, name string) (feed.Source, error) {
	l, err := c.sourceList(ctx)
	if err != nil {
		return feed.Source{}, err
	}
	for _, s := range l.Sources {
		if s.Name == name {
			return s, nil
		}
	}
	return feed.Source{}, fmt.Errorf("数据源“%s”不存在：%w", name, ErrSourceNotFound)
}

func (c *Core) health(ctx context.Context, name string) (sourceHealth, error) {
	var h sourceHealth
	_, err := c.Store.GetDoc(ctx, healthDocPrefix+name, &h)
	return h, err
}

// SourceList lists every source with its health, in the order they were added.
func (c *Core) SourceList(ctx context.Context) ([]SourceView, error) {
	l, err := c.sourceList(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]SourceView, 0, len(l.Sources))
	for _, s := range l.Sources {
		h, err := c.health(ctx, s.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, viewOf(s, h))
	}
	return out, nil
}

// SourcesRev is the stored sources' revision: it changes whenever a source is saved or deleted.
func (c *Core) SourcesRev(ctx context.Context) (uint64, error) {
	l, err := c.sourceList(ctx)
	return l.Rev, err
}

// SaveSource validates and stores a source (adding it or replacing the one with its name).
// A changed URL, folder or kind starts the source's cursor afresh; records already stored are
// still recognised as duplicates.
func (c *Core) SaveSource(ctx context.Context, cfg SourceConfig) (SourceView, error) {
	var saved feed.Source
	var fresh, moved bool
	err := c.Store.UpdateDoc(ctx, sourcesDocName, func(old []byte) ([]byte, error) {
		var l sourceList
		if old != nil {
			if err := json.Unmarshal(old, &l); err != nil {
				return nil, fmt.Errorf("decode sources: %w", err)
			}
		}
		i := slices.IndexFunc(l.Sources, func(s feed.Source) bool { return s.Name == strings.TrimSpace(cfg.Name) })
		var prev *feed.Source
		if i >= 0 {
			prev = &l.Sources[i]
		}
		s, err := sourceFromConfig(cfg, prev)
		if err != nil {
			return nil, err
		}
		if prev == nil {
			l.Sources = append(l.Sources, s)
			fresh = true
		} else {
			moved = prev.Kind != s.Kind || prev.URL != s.URL || prev.Folder != s.Folder
			l.Sources[i] = s
		}
		l.Rev++
		saved = s
		return json.Marshal(l)
	})
	var se *sourceError
	if errors.As(err, &se) {
		return SourceView{}, se // the officer's sentence, without the storage wrapping
	}
	if err != nil {
		return SourceView{}, err
	}
	if fresh || moved {
		// A new source never inherits the cursor of a deleted one of the same name; a moved one
		// cannot use validators and ids of another address.
		drop := []string{stateDocPrefix + saved.Name}
		if fresh {
			drop = append(drop, healthDocPrefix+saved.Name)
		}
		if err := c.Store.DeleteDoc(ctx, drop...); err != nil {
			return SourceView{}, err
		}
	}
	h, err := c.health(ctx, saved.Name)
	if err != nil {
		return SourceView{}, err
	}
	c.Log.Info("source saved", "source", saved.Name, "kind", saved.Kind, "schedule", saved.Schedule, "enabled", saved.Enabled)
	return viewOf(saved, h), nil
}

// DeleteSource removes a source, its cursor and its health. Its records stay.
func (c *Core) DeleteSource(ctx context.Context, name string) error {
	name = strings.TrimSpace(name)
	found := false
	err := c.Store.UpdateDoc(ctx, sourcesDocName, func(old []byte) ([]byte, error) {
		var l sourceList
		if old != nil {
			if err := json.Unmarshal(old, &l); err != nil {
				return nil, fmt.Errorf("decode sources: %w", err)
			}
		}
		n := len(l.Sources)
		l.Sources = slices.DeleteFunc(l.Sources, func(s feed.Source) bool { return s.Name == name })
		if found = len(l.Sources) < n; !found {
			return old, nil
		}
		l.Rev++
		return json.Marshal(l)
	})
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("数据源“%s”不存在：%w", name, ErrSourceNotFound)
	}
	c.Log.Info("source deleted", "source", name)
	return c.Store.DeleteDoc(ctx, stateDocPrefix+name, healthDocPrefix+name)
}

// fileSource is one entry of sources.json: a SourceConfig whose enabled defaults to true.
type fileSource struct {
	SourceConfig
	Enabled *bool `json:"enabled"`
}

// LoadSourcesFile applies <data>/sources.json when it exists and has changed since it was last
// applied: each source in it is added or replaced by name (sources only in the store stay).
// The file is a JSON array of sources, or an object {"sources": [...]}. Invalid entries are
// skipped and reported in the error; the valid ones are saved. It returns how many were saved.
func (c *Core) LoadSourcesFile(ctx context.Context) (int, error) {
	path := filepath.Join(c.DataDir, SourcesFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("读取 %s 失败：%w", path, err)
	}
	sum := sha256.Sum256(b)
	hash := hex.EncodeToString(sum[:])
	var applied string
	if _, err := c.Store.GetDoc(ctx, sourcesFileDoc, &applied); err != nil {
		return 0, err
	}
	if applied == hash {
		return 0, nil
	}
	entries, err := decodeSourcesFile(b)
	if err != nil {
		return 0, fmt.Errorf("%s 格式错误：%w", path, err)
	}
	var errs []error
	n := 0
	for i, e := range entries {
		cfg := e.SourceConfig
		cfg.Enabled = e.Enabled == nil || *e.Enabled
		if _, err := c.SaveSource(ctx, cfg); err != nil {
			errs = append(errs, fmt.Errorf("%s 第 %d 个数据源“%s”：%w", SourcesFile, i+1, cfg.Name, err))
			continue
		}
		n++
	}
	if err := c.Store.PutDoc(ctx, sourcesFileDoc, hash); err != nil {
		return n, err
	}
	c.Log.Info("sources file applied", "path", path, "saved", n, "invalid", len(errs))
	return n, errors.Join(errs...)
}

func decodeSourcesFile(b []byte) ([]fileSource, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	var list []fileSource
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		var doc struct {
			Sources []fileSource `json:"sources"`
		}
		if err := json.Unmarshal(t, &doc); err != nil {
			return nil, err
		}
		return doc.Sources, nil
	}
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, err
	}
	return list, nil
}

// sourceBanners appends a banner for every enabled source that failed FailureBannerAt times running.
func (c *Core) sourceBanners(ctx context.Context, banners []string) []string {
	l, err := c.sourceList(ctx)
	if err != nil {
		c.Log.Warn("source banners", "err", err)
		return banners
	}
	for _, s := range l.Sources {
		if !s.Enabled {
			continue
		}
		h, err := c.health(ctx, s.Name)
		if err != nil || h.Failures < FailureBannerAt {
			continue
		}
		banners = append(banners, fmt.Sprintf("数据源「%s」已连续 %d 次拉取失败：%s", s.Name, h.Failures, h.LastError))
	}
	return banners
}
