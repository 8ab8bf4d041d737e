package feed

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"minyi/domain"
)

// Source kinds.
const (
	KindRSS    = "rss"    // RSS 0.9x/1.0/2.0, Atom and JSON Feed
	KindJSON   = "json"   // a JSON API read through Mapping
	KindHTML   = "html"   // an HTML list page read through CSS selectors in Mapping
	KindFolder = "folder" // a folder of .csv/.tsv/.xlsx/.jsonl files, each read once
)

// Source is one configured feed (数据源), persisted by the app as JSON.
type Source struct {
	Name     string        `json:"name"`
	Channel  string        `json:"channel"`          // default channel of its items (a domain.Channel… value)
	Kind     string        `json:"kind"`             // KindRSS, KindJSON, KindHTML or KindFolder
	URL      string        `json:"url,omitempty"`    // for rss, json, html
	Folder   string        `json:"folder,omitempty"` // for folder
	Schedule string        `json:"schedule"`         // robfig/cron spec; validated by the app
	Enabled  bool          `json:"enabled"`
	Timeout  time.Duration `json:"timeout,omitempty"`   // per request; default 20s
	MaxBytes int64         `json:"max_bytes,omitempty"` // per response; default 20 MB
	Mapping  Mapping       `json:"mapping,omitempty"`   // for json, html and folder
}

// Mapping says where a json or html source keeps its fields, and how a folder's columns are named.
//
// For KindJSON every field is a dotted path ("data.list", "author.name", "items.0.id"): ItemsPath
// leads from the document to the array of items ("" when the document is the array), the others
// lead from one item to its value. For KindHTML, Item selects each entry on the list page and
// Title, Link and Time are CSS selectors inside it; Body is a selector on the linked detail page.
type Mapping struct {
	ItemsPath  string `json:"items_path,omitempty"`
	Item       string `json:"item,omitempty"` // html: selector of one entry on the list page
	ID         string `json:"id,omitempty"`   // json: path of the id (html uses the link)
	Title      string `json:"title,omitempty"`
	Body       string `json:"body,omitempty"`
	Time       string `json:"time,omitempty"`
	Author     string `json:"author,omitempty"`
	Link       string `json:"link,omitempty"` // json: path of the URL; html: selector of the <a> (default: first a[href])
	Label      string `json:"label,omitempty"`
	Department string `json:"department,omitempty"`
	// NextPath is the dotted path (json) or CSS selector of an <a> (html) giving the next page.
	NextPath string `json:"next_path,omitempty"`
	// PageParam is a query parameter counting pages (json and html), used when NextPath is empty.
	PageParam string `json:"page_param,omitempty"`
	MaxPages  int    `json:"max_pages,omitempty"` // default 10
	// Columns renames a folder's file columns to the import field names (id, title, body, time…).
	Columns map[string]string `json:"columns,omitempty"`
}

// State is what the app stores between pulls of one source (its cursor): conditional-GET
// validators, files already processed and the ids seen last time. Save the State a Pull returns
// only after its items are committed, so a crash re-pulls instead of losing messages.
type State struct {
	ETag         string            `json:"etag,omitempty"`
	LastModified string            `json:"last_modified,omitempty"`
	SeenFiles    map[string]string `json:"seen_files,omitempty"` // file name → "size:mtime" of the version read
	LastIDs      []string          `json:"last_ids,omitempty"`   // ids of the latest items, newest first (at most 500)
}

// maxLastIDs bounds State.LastIDs.
const maxLastIDs = 500

// Batch is the result of one Pull.
type Batch struct {
	Items       []domain.Item `json:"items"`
	State       State         `json:"state"`
	Read        int           `json:"read"`     // entries the source delivered (including already seen ones)
	Rejected    int           `json:"rejected"` // entries refused (no text, duplicate id, mojibake, failed detail page)
	Seen        int           `json:"seen"`     // entries skipped because seen() said so
	NotModified bool          `json:"not_modified"`
	Errors      []string      `json:"errors,omitempty"` // plain-Chinese reasons for rejected entries and notes
}

func (b *Batch) reject(reason string) {
	b.Rejected++
	if len(b.Errors) < maxListed {
		b.Errors = append(b.Errors, reason)
	}
}

// Pull fetches one source and returns its new items (plain text, HTML stripped, Raw kept), the
// new State (to be saved ONLY after the items are committed) and counts of rejected entries with
// reasons. Items for which seen(SourceID) is true, or that State.LastIDs lists, are left out;
// seen may be nil. An entry is never returned twice in one Batch. A whole-source failure is the
// error, matching one of ErrNotFeed, ErrTooLarge, ErrHTTPStatus, ErrTimeout, ErrNetwork,
// ErrBadSource, ErrMalformed, and the State is then not to be changed.
func (f *Fetcher) Pull(ctx context.Context, src Source, st State, seen func(sourceID string) bool) (Batch, error) {
	p := &pull{f: f, src: src, old: st, lim: src.limits()}
	p.seenFn = seen
	p.last = make(map[string]bool, len(st.LastIDs))
	for _, id := range st.LastIDs {
		p.last[id] = true
	}
	p.dup = make(map[string]bool)
	p.batch.State = State{ETag: st.ETag, LastModified: st.LastModified, SeenFiles: st.SeenFiles, LastIDs: st.LastIDs}
	p.channel = domain.ChannelOther
	if c, ok := NormalizeChannel(src.Channel); ok {
		p.channel = c
	}
	var err error
	switch strings.ToLower(src.Kind) {
	case KindRSS, "atom", "jsonfeed":
		err = p.rss(ctx)
	case KindJSON:
		err = p.json(ctx)
	case KindHTML:
		err = p.html(ctx)
	case KindFolder:
		err = p.folder(ctx)
	default:
		err = newUserError(fmt.Sprintf("数据源“%s”的类型“%s”无法识别（应为 rss、json、html 或 folder）", src.Name, src.Kind), ErrBadSource)
	}
	if err != nil {
		return Batch{State: st}, err
	}
	if ids := p.ids; len(ids) > 0 {
		for _, id := range st.LastIDs {
			if len(ids) >= maxLastIDs {
				break
			}
			if !p.dupIn(ids, id) {
				ids = append(ids, id)
			}
		}
		p.batch.State.LastIDs = ids[:min(len(ids), maxLastIDs)]
	}
	return p.batch, nil
}

// pull is the working state of one Pull.
type pull struct {
	f       *Fetcher
	src     Source
	old     State
	lim     limits
	channel string
	seenFn  func(string) bool
	last    map[string]bool // State.LastIDs
	dup     map[string]bool // ids already taken in this batch
	ids     []string        // ids in order of arrival, for State.LastIDs
	batch   Batch
}

func (p *pull) dupIn(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// seen reports whether an entry with this id is already known.
func (p *pull) seen(id string) bool {
	return id != "" && (p.last[id] || (p.seenFn != nil && p.seenFn(id)))
}

// add finishes an entry into an Item and appends it unless it is empty, a duplicate or seen.
// It reports whether the entry had been seen before (the paging stop signal).
func (p *pull) add(it domain.Item, where string) (wasSeen bool) {
	p.batch.Read++
	it.Source = p.src.Name
	if it.Channel == "" {
		it.Channel = p.channel
	}
	for _, s := range []*string{&it.Title, &it.Body, &it.Author, &it.Label, &it.Department} {
		fixed, ok := repairText(*s)
		if !ok {
			p.batch.reject(fmt.Sprintf("%s：含有乱码或无效的文字编码，已跳过", where))
			return false
		}
		*s = fixed
	}
	it.Title = oneLine(HTMLToText(it.Title))
	if looksLikeHTML(it.Body) {
		if it.Raw == "" {
			it.Raw = it.Body
		}
		it.Body = HTMLToText(it.Body)
	} else {
		it.Body = cleanText(it.Body)
	}
	it.Author, it.Label, it.Department = oneLine(HTMLToText(it.Author)), oneLine(it.Label), oneLine(it.Department)
	it.SourceID, it.URL = strings.TrimSpace(it.SourceID), strings.TrimSpace(it.URL)
	if it.Title == "" && it.Body == "" {
		p.batch.reject(fmt.Sprintf("%s：缺少标题和正文", where))
		return false
	}
	if it.SourceID != "" {
		if p.dup[it.SourceID] {
			p.batch.reject(fmt.Sprintf("%s：与前面的条目编号重复（%s），已跳过", where, clip(it.SourceID, 80)))
			return false
		}
		p.dup[it.SourceID] = true
		p.ids = append(p.ids, it.SourceID)
		if p.seen(it.SourceID) {
			p.batch.Seen++
			return true
		}
	}
	p.batch.Items = append(p.batch.Items, it)
	return false
}

// resolve makes href absolute against base; "" when it is not an http(s) link.
func resolve(base *url.URL, href string) string {
	href = strings.TrimSpace(href)
	if href == "" || base == nil {
		return href
	}
	u, err := base.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	u.Fragment = ""
	return u.String()
}

// pageURL sets the page parameter of raw to n.
func pageURL(raw, param string, n int) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set(param, fmt.Sprint(n))
	u.RawQuery = q.Encode()
	return u.String()
}

// firstPage is the page number the source URL starts at for PageParam paging.
func firstPage(raw, param string) int {
	u, err := url.Parse(raw)
	if err != nil {
		return 1
	}
	var n int
	if _, err := fmt.Sscan(u.Query().Get(param), &n); err != nil {
		return 1
	}
	return n
}

// needURL checks that a web source has a URL.
func (p *pull) needURL() error {
	if strings.TrimSpace(p.src.URL) == "" {
		return newUserError(fmt.Sprintf("数据源“%s”没有填写网址", p.src.Name), ErrBadSource)
	}
	return nil
}

// keepValidators stores the first page's conditional-GET validators in the new State.
func (p *pull) keepValidators(r response) {
	p.batch.State.ETag, p.batch.State.LastModified = r.etag, r.lastMod
}
