package feed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"minyi/domain"
)

// json pulls a JSON API page by page through the source's Mapping, stopping at the first page
// that holds an already-seen item, an empty page, a repeated page or MaxPages.
func (p *pull) json(ctx context.Context) error {
	if err := p.needURL(); err != nil {
		return err
	}
	m := p.src.Mapping
	if m.Title == "" && m.Body == "" {
		return newUserError(fmt.Sprintf("数据源“%s”的字段映射没有填写标题或正文字段", p.src.Name), ErrBadSource)
	}
	pager := newPager(p.src.URL, m)
	for next := p.src.URL; next != ""; {
		pageNo := pager.n
		var cond *State
		if pageNo == 1 {
			cond = &p.old
		}
		resp, err := p.f.get(ctx, next, p.lim, cond)
		if err != nil {
			return pageError(pageNo, err)
		}
		if resp.notModified {
			p.batch.NotModified = true
			return nil
		}
		if pageNo == 1 {
			p.keepValidators(resp)
		}
		doc, err := decodeJSON(resp.body)
		if err != nil {
			return pageError(pageNo, err)
		}
		list, ok := lookup(doc, m.ItemsPath).([]any)
		if !ok {
			if pageNo > 1 {
				break
			}
			return newUserError(fmt.Sprintf("在返回的 JSON 中找不到条目列表“%s”", m.ItemsPath), ErrNotFeed)
		}
		if len(list) == 0 {
			break
		}
		if first := jsonItem(list[0], m); first.SourceID != "" && p.dup[first.SourceID] {
			break // the server ignored the page parameter and sent the same page again
		}
		stop := false
		for i, v := range list {
			it := jsonItem(v, m)
			if p.add(it, fmt.Sprintf("第 %d 页第 %d 条", pageNo, i+1)) {
				stop = true
			}
		}
		if stop {
			break
		}
		if next = pager.next(resp, doc); next == "" {
			break
		}
		if pager.n > pager.max {
			p.batch.Errors = append(p.batch.Errors, fmt.Sprintf("已读到最多 %d 页，更早的条目未读取；可在字段映射中调大最多页数", pager.max))
			break
		}
	}
	return nil
}

// pageError names the page in a failure after the first.
func pageError(pageNo int, err error) error {
	if pageNo <= 1 {
		return err
	}
	return &pageErr{page: pageNo, err: err}
}

type pageErr struct {
	page int
	err  error
}

func (e *pageErr) Error() string { return fmt.Sprintf("读取第 %d 页时出错：%v", e.page, e.err) }
func (e *pageErr) Unwrap() error { return e.err }

// pager computes the next page URL from NextPath or PageParam.
type pager struct {
	base     string
	m        Mapping
	n, max   int // n is the number of the page being read, 1-based
	pageNum  int // value of PageParam for the page being read
	visited  map[string]bool
	htmlNext func(resp response) string
}

func newPager(base string, m Mapping) *pager {
	pg := &pager{base: base, m: m, n: 1, max: m.MaxPages, visited: map[string]bool{base: true}}
	if pg.max <= 0 {
		pg.max = DefaultMaxPages
	}
	if m.PageParam != "" {
		pg.pageNum = firstPage(base, m.PageParam)
	}
	return pg
}

// next returns the following page's URL, or "" when there is none or it was already read.
func (pg *pager) next(resp response, doc any) string {
	var u string
	switch {
	case pg.htmlNext != nil && pg.m.NextPath != "":
		u = pg.htmlNext(resp)
	case pg.m.NextPath != "":
		u = resolve(resp.url, valueString(lookup(doc, pg.m.NextPath)))
	case pg.m.PageParam != "":
		pg.pageNum++
		u = pageURL(pg.base, pg.m.PageParam, pg.pageNum)
	}
	if u == "" || pg.visited[u] {
		return ""
	}
	pg.visited[u] = true
	pg.n++
	return u
}

// decodeJSON parses a JSON body, with numbers kept as written.
func decodeJSON(b []byte) (any, error) {
	trimmed := bytes.TrimLeft(b, " \t\r\n")
	if looksLikeHTMLPage(trimmed) {
		return nil, newUserError("返回的不是 JSON（HTML 页面）", ErrNotFeed)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, newUserError("JSON 格式错误："+jsonReason(err), ErrMalformed, err)
	}
	return v, nil
}

// lookup follows a dotted path ("data.list", "items.0.title") through decoded JSON; "" is v itself.
func lookup(v any, path string) any {
	if path = strings.TrimSpace(path); path == "" {
		return v
	}
	for _, key := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[key]
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// valueString renders a JSON value as text: strings as is, numbers as written, null as "".
func valueString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// jsonItem maps one element of the item list to an Item; Raw keeps the element as JSON.
func jsonItem(v any, m Mapping) domain.Item {
	get := func(path string) string {
		if path == "" {
			return ""
		}
		return valueString(lookup(v, path))
	}
	it := domain.Item{
		SourceID:   get(m.ID),
		Title:      get(m.Title),
		Body:       get(m.Body),
		Author:     get(m.Author),
		URL:        get(m.Link),
		Label:      get(m.Label),
		Department: get(m.Department),
	}
	if it.SourceID == "" {
		it.SourceID = it.URL
	}
	if raw := get(m.Time); raw != "" {
		if t, ok := ParseTime(raw); ok {
			it.Time = t
		} else {
			it.Extra = map[string]string{TimeUnparsedKey: raw}
		}
	}
	if b, err := json.Marshal(v); err == nil {
		it.Raw = string(b)
	}
	return it
}
