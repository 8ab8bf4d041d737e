package feed

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"minyi/domain"
)

// listDateRE finds a date inside list-page text such as "[2023-07-14]" or "发布时间：2023年7月14日 08:00".
var listDateRE = regexp.MustCompile(`\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:：]\d{1,2}(?:[:：]\d{1,2})?)?`)

// html pulls an HTML list page (and its following pages), reading entries with the Mapping's CSS
// selectors and, when Mapping.Body is set, each new entry's detail page.
func (p *pull) html(ctx context.Context) error {
	if err := p.needURL(); err != nil {
		return err
	}
	m := p.src.Mapping
	if strings.TrimSpace(m.Item) == "" {
		return newUserError(fmt.Sprintf("数据源“%s”没有填写条目选择器（Item）", p.src.Name), ErrBadSource)
	}
	pager := newPager(p.src.URL, m)
	var doc *goquery.Document
	pager.htmlNext = func(resp response) string {
		href, _ := doc.Find(m.NextPath).First().Attr("href")
		return resolve(resp.url, href)
	}
	detailFailed := false
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
		doc, err = goquery.NewDocumentFromReader(bytes.NewReader(resp.body))
		if err != nil {
			return pageError(pageNo, newUserError("网页无法解析："+err.Error(), ErrMalformed, err))
		}
		entries := doc.Find(m.Item)
		if entries.Length() == 0 {
			if pageNo > 1 {
				break
			}
			return newUserError(fmt.Sprintf("页面中找不到条目：选择器“%s”没有匹配任何内容", m.Item), ErrNotFeed)
		}
		stop, repeated := false, false
		entries.EachWithBreak(func(i int, s *goquery.Selection) bool {
			it := htmlEntry(s, m, resp)
			where := fmt.Sprintf("第 %d 页第 %d 条", pageNo, i+1)
			if i == 0 && it.SourceID != "" && p.dup[it.SourceID] {
				repeated = true
				return false
			}
			if m.Body != "" && it.URL != "" && !p.seen(it.SourceID) && !p.dup[it.SourceID] {
				body, raw, err := p.detail(ctx, it.URL, m.Body)
				if err != nil {
					if ctx.Err() != nil {
						return false
					}
					detailFailed = true
					p.batch.Read++
					p.batch.reject(fmt.Sprintf("%s：详情页 %s 读取失败：%v（下次拉取时重试）", where, clip(it.URL, 120), err))
					return true
				}
				it.Body, it.Raw = body, raw
			}
			if p.add(it, where) {
				stop = true
			}
			return true
		})
		if err := ctx.Err(); err != nil {
			return err
		}
		if stop || repeated {
			break
		}
		if next = pager.next(resp, nil); next == "" {
			break
		}
		if pager.n > pager.max {
			p.batch.Errors = append(p.batch.Errors, fmt.Sprintf("已读到最多 %d 页，更早的条目未读取；可在字段映射中调大最多页数", pager.max))
			break
		}
	}
	if detailFailed {
		// Keep the old validators so the next pull reads the list again and retries the failed
		// detail pages instead of getting 304 Not Modified.
		p.batch.State.ETag, p.batch.State.LastModified = p.old.ETag, p.old.LastModified
	}
	return nil
}

// htmlEntry reads one list entry: its link (absolute, also its SourceID), title and time.
func htmlEntry(s *goquery.Selection, m Mapping, resp response) domain.Item {
	var a *goquery.Selection
	switch {
	case m.Link != "":
		a = s.Find(m.Link).First()
	case goquery.NodeName(s) == "a":
		a = s
	default:
		a = s.Find("a[href]").First()
	}
	href, _ := a.Attr("href")
	it := domain.Item{URL: resolve(resp.url, href)}
	if m.Title != "" {
		t := s.Find(m.Title).First()
		it.Title = strings.TrimSpace(t.Text())
		if title, ok := t.Attr("title"); ok && len(title) > len(it.Title) {
			it.Title = title // list pages often cut long titles with "…" and keep the full one here
		}
	} else {
		it.Title = strings.TrimSpace(a.Text())
		if title, ok := a.Attr("title"); ok && len(title) > len(it.Title) {
			it.Title = title
		}
	}
	timeText := s.Text()
	if m.Time != "" {
		timeText = s.Find(m.Time).First().Text()
	}
	if d := listDateRE.FindString(timeText); d != "" {
		if t, ok := ParseTime(d); ok {
			it.Time = t
		}
	}
	if m.Author != "" {
		it.Author = s.Find(m.Author).First().Text()
	}
	it.SourceID = it.URL
	if it.SourceID == "" {
		it.SourceID = it.Title
	}
	return it
}

// detail fetches a detail page and returns the text and markup of the body selector.
func (p *pull) detail(ctx context.Context, link, selector string) (body, raw string, err error) {
	resp, err := p.f.get(ctx, link, p.lim, nil)
	if err != nil {
		return "", "", err
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(resp.body))
	if err != nil {
		return "", "", newUserError("网页无法解析", ErrMalformed, err)
	}
	sel := doc.Find(selector).First()
	if sel.Length() == 0 {
		return "", "", newUserError(fmt.Sprintf("正文选择器“%s”没有匹配", selector), ErrNotFeed)
	}
	raw, err = sel.Html()
	if err != nil {
		return "", "", newUserError("网页无法解析", ErrMalformed, err)
	}
	return HTMLToText(raw), raw, nil
}
