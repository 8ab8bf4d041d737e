package feed

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"minyi/domain"
)

// rss pulls an RSS, Atom or JSON Feed document with gofeed.
func (p *pull) rss(ctx context.Context) error {
	if err := p.needURL(); err != nil {
		return err
	}
	resp, err := p.f.get(ctx, p.src.URL, p.lim, &p.old)
	if err != nil {
		return err
	}
	if resp.notModified {
		p.batch.NotModified = true
		return nil
	}
	items, err := ParseFeed(resp.body)
	if err != nil {
		return err
	}
	for i, it := range items {
		if it.URL != "" {
			it.URL = resolve(resp.url, it.URL)
		}
		p.add(it, fmt.Sprintf("第 %d 条", i+1))
	}
	p.keepValidators(resp)
	return nil
}

// xmlLineRE finds the line number in encoding/xml's error text.
var xmlLineRE = regexp.MustCompile(`line (\d+)`)

// ParseFeed parses an RSS 0.9x/1.0/2.0, Atom or JSON Feed document (UTF-8, or with its encoding
// declared) into Items whose Title and Body are still as the feed wrote them (Pull converts
// them to plain text). A document that is not a feed is ErrNotFeed, a broken one ErrMalformed,
// each with a Chinese message.
func ParseFeed(body []byte) ([]domain.Item, error) {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), " \t\r\n")
	if looksLikeHTMLPage(trimmed) {
		return nil, newUserError("返回的不是订阅源（HTML 页面）", ErrNotFeed)
	}
	if len(trimmed) == 0 {
		return nil, newUserError("返回的内容是空的", ErrNotFeed)
	}
	if trimmed[0] == '<' {
		if err := checkXML(trimmed); err != nil {
			return nil, err
		}
	}
	fp := gofeed.NewParser()
	feed, err := fp.Parse(bytes.NewReader(body))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, newUserError("返回的不是订阅源（不是 RSS、Atom 或 JSON Feed 格式）", ErrNotFeed, err)
		}
		if trimmed[0] == '{' {
			return nil, newUserError("JSON Feed 格式错误："+jsonReason(err), ErrMalformed, err)
		}
		if m := xmlLineRE.FindStringSubmatch(err.Error()); m != nil {
			return nil, newUserError(fmt.Sprintf("XML 格式错误：第 %s 行", m[1]), ErrMalformed, err)
		}
		return nil, newUserError("XML 格式错误："+clip(err.Error(), 120), ErrMalformed, err)
	}
	out := make([]domain.Item, 0, len(feed.Items))
	for _, fi := range feed.Items {
		it := domain.Item{
			SourceID: strings.TrimSpace(fi.GUID),
			Title:    fi.Title,
			URL:      strings.TrimSpace(fi.Link),
		}
		if it.SourceID == "" {
			it.SourceID = it.URL
		}
		it.Body = fi.Content
		if strings.TrimSpace(it.Body) == "" {
			it.Body = fi.Description
		}
		if looksLikeHTML(it.Body) {
			it.Raw = it.Body
		}
		it.Time = feedTime(fi.Published, fi.PublishedParsed)
		if it.Time.IsZero() {
			it.Time = feedTime(fi.Updated, fi.UpdatedParsed)
		}
		if it.Time.IsZero() && (fi.Published != "" || fi.Updated != "") {
			it.Extra = map[string]string{TimeUnparsedKey: strings.TrimSpace(fi.Published + " " + fi.Updated)}
		}
		if len(fi.Authors) > 0 && fi.Authors[0] != nil {
			it.Author = fi.Authors[0].Name
			if it.Author == "" {
				it.Author = fi.Authors[0].Email
			}
		}
		if len(fi.Categories) > 0 {
			if it.Extra == nil {
				it.Extra = map[string]string{}
			}
			it.Extra["categories"] = strings.Join(fi.Categories, "、")
		}
		out = append(out, it)
	}
	return out, nil
}

// feedTime prefers our reading of the text (which puts zone-less times in China) and falls
// back to gofeed's.
func feedTime(s string, parsed *time.Time) time.Time {
	if t, ok := ParseTime(s); ok {
		return t
	}
	if parsed != nil && !parsed.IsZero() {
		return *parsed
	}
	return time.Time{}
}

// bareAmpRE finds an & that does not start an entity or character reference.
var bareAmpRE = regexp.MustCompile(`&([^#a-zA-Z]|[a-zA-Z][a-zA-Z0-9]{0,31}[^a-zA-Z0-9;]|#[^0-9xX]|$)`)

// checkXML runs a strict XML pass over a feed before gofeed's lenient one, because the lenient
// parser silently drops the items after a broken tag: a structural error (mismatched or
// unclosed element, truncation) is ErrMalformed with its line. Bare ampersands and HTML entities,
// which many sites emit and which lose nothing, are tolerated.
func checkXML(b []byte) error {
	if bytes.IndexByte(b, '&') >= 0 {
		b = bareAmpRE.ReplaceAllFunc(b, func(m []byte) []byte {
			return append([]byte("&amp;"), m[1:]...)
		})
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	dec.Entity = xml.HTMLEntity
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) { return r, nil } // already UTF-8
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return newUserError(fmt.Sprintf("XML 格式错误：第 %d 行（%s）", se.Line, xmlReason(se.Msg)), ErrMalformed, err)
		}
		if err != nil {
			return newUserError("XML 格式错误："+clip(err.Error(), 120), ErrMalformed, err)
		}
	}
	return nil
}

// xmlReason translates encoding/xml's syntax messages that officers are likely to see.
func xmlReason(msg string) string {
	switch {
	case strings.Contains(msg, "unexpected EOF"):
		return "文件不完整，可能被截断"
	case strings.Contains(msg, "closed by"), strings.Contains(msg, "unexpected end element"):
		return "标签不匹配：" + msg
	case strings.Contains(msg, "invalid character entity"):
		return "无法识别的实体：" + msg
	}
	return msg
}

// looksLikeHTMLPage reports a web page where a feed or JSON was expected (an error page served
// with status 200, a login page, a WAF challenge).
func looksLikeHTMLPage(b []byte) bool {
	head := bytes.ToLower(b[:min(len(b), 1024)])
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")) ||
		(bytes.Contains(head, []byte("<html")) && !bytes.Contains(head, []byte("<rss")) &&
			!bytes.Contains(head, []byte("<feed")) && !bytes.Contains(head, []byte("<rdf")))
}
