package feed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// UserAgent is what Minyi tells government sites it is, so their operators can recognise it.
const UserAgent = "Minyi/1.0 (+政务舆情工作台)"

// Defaults for a Source that leaves them zero.
const (
	DefaultTimeout  = 20 * time.Second
	DefaultMaxBytes = 20 << 20
	DefaultMaxPages = 10
)

// FetcherOptions configures a Fetcher; the zero value is usable.
type FetcherOptions struct {
	Client      *http.Client                                     // default: a client with sane transport timeouts
	UserAgent   string                                           // default UserAgent
	PerHost     int                                              // concurrent requests to one host, default 2
	MaxAttempts int                                              // tries per request on 5xx/429/timeouts/network errors, default 3
	BaseDelay   time.Duration                                    // first retry delay, doubled each time with ±50% jitter, default 2s
	MaxDelay    time.Duration                                    // cap on one retry delay, default 1 min
	Sleep       func(ctx context.Context, d time.Duration) error // waits between retries; tests pass a no-op
	Now         func() time.Time                                 // clock for folder sources; default time.Now
	Jitter      func() float64                                   // random in [0,1); default math/rand/v2
}

// Fetcher pulls sources over HTTP (or from folders) politely: conditional GET, timeouts,
// a body size limit, retries with backoff on transient failures and a per-host limit.
// It is safe for concurrent use; share one per process.
type Fetcher struct {
	opt   FetcherOptions
	mu    sync.Mutex
	hosts map[string]chan struct{}
}

// NewFetcher returns a Fetcher with opt's zero fields set to their defaults.
func NewFetcher(opt FetcherOptions) *Fetcher {
	if opt.Client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.ResponseHeaderTimeout = 60 * time.Second
		opt.Client = &http.Client{Transport: tr}
	}
	if opt.UserAgent == "" {
		opt.UserAgent = UserAgent
	}
	if opt.PerHost <= 0 {
		opt.PerHost = 2
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 3
	}
	if opt.BaseDelay <= 0 {
		opt.BaseDelay = 2 * time.Second
	}
	if opt.MaxDelay <= 0 {
		opt.MaxDelay = time.Minute
	}
	if opt.Sleep == nil {
		opt.Sleep = sleepCtx
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Jitter == nil {
		opt.Jitter = rand.Float64
	}
	return &Fetcher{opt: opt, hosts: make(map[string]chan struct{})}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// StatusError is a non-success HTTP answer; it matches ErrHTTPStatus.
type StatusError struct {
	Code int
	URL  string
}

func (e *StatusError) Error() string {
	if e.Code == http.StatusNotModified {
		return "服务器返回 304"
	}
	if t := statusText[e.Code]; t != "" {
		return fmt.Sprintf("服务器返回 %d（%s）", e.Code, t)
	}
	return fmt.Sprintf("服务器返回 %d", e.Code)
}

// Is makes errors.Is(err, ErrHTTPStatus) true.
func (e *StatusError) Is(target error) bool { return target == ErrHTTPStatus }

var statusText = map[int]string{
	400: "请求有误", 401: "需要登录", 403: "拒绝访问", 404: "找不到页面", 410: "页面已删除",
	429: "请求过于频繁", 500: "服务器内部错误", 502: "网关错误", 503: "服务暂不可用", 504: "网关超时",
}

// response is a fetched body, already converted to UTF-8.
type response struct {
	body        []byte
	contentType string
	etag        string
	lastMod     string
	notModified bool
	url         *url.URL // final URL after redirects, for resolving relative links
	encoding    string
}

// limits are the per-source request bounds.
type limits struct {
	timeout  time.Duration
	maxBytes int64
}

func (s Source) limits() limits {
	l := limits{timeout: s.Timeout, maxBytes: s.MaxBytes}
	if l.timeout <= 0 {
		l.timeout = DefaultTimeout
	}
	if l.maxBytes <= 0 {
		l.maxBytes = DefaultMaxBytes
	}
	return l
}

// get fetches rawURL with retries. When cond carries validators it sends a conditional GET
// and reports a 304 as notModified.
func (f *Fetcher) get(ctx context.Context, rawURL string, lim limits, cond *State) (response, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return response{}, newUserError(fmt.Sprintf("网址无效：%s", clip(rawURL, 200)), ErrBadSource)
	}
	release, err := f.acquire(ctx, u.Host)
	if err != nil {
		return response{}, err
	}
	defer release()
	var lastErr error
	for attempt := 0; attempt < f.opt.MaxAttempts; attempt++ {
		if attempt > 0 {
			if err := f.opt.Sleep(ctx, f.backoff(attempt, lastErr)); err != nil {
				return response{}, err
			}
		}
		resp, err := f.once(ctx, u, lim, cond)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return response{}, ctx.Err()
		}
		lastErr = err
		if !retryable(err) {
			break
		}
	}
	return response{}, lastErr
}

// backoff is BaseDelay·2^(attempt-1) with ±50% jitter, capped, or the server's Retry-After.
func (f *Fetcher) backoff(attempt int, lastErr error) time.Duration {
	var ra *retryAfterError
	if errors.As(lastErr, &ra) && ra.after > 0 {
		return min(ra.after, f.opt.MaxDelay)
	}
	d := f.opt.BaseDelay << (attempt - 1)
	d = time.Duration(float64(d) * (0.5 + f.opt.Jitter()))
	return min(d, f.opt.MaxDelay)
}

// retryAfterError carries a 429/503's Retry-After along with the status error.
type retryAfterError struct {
	*StatusError
	after time.Duration
}

func (e *retryAfterError) Unwrap() error { return e.StatusError }

// retryable says whether another attempt may succeed: server errors, throttling, timeouts and
// network failures, but not 4xx answers, oversized bodies or content that is not a feed.
func retryable(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code >= 500 || se.Code == http.StatusTooManyRequests || se.Code == http.StatusRequestTimeout
	}
	return errors.Is(err, ErrTimeout) || errors.Is(err, ErrNetwork)
}

// acquire takes one of the host's request slots.
func (f *Fetcher) acquire(ctx context.Context, host string) (func(), error) {
	f.mu.Lock()
	sem, ok := f.hosts[host]
	if !ok {
		sem = make(chan struct{}, f.opt.PerHost)
		f.hosts[host] = sem
	}
	f.mu.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// once makes one attempt.
func (f *Fetcher) once(ctx context.Context, u *url.URL, lim limits, cond *State) (response, error) {
	actx, cancel := context.WithTimeout(ctx, lim.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, u.String(), nil)
	if err != nil {
		return response{}, newUserError(fmt.Sprintf("网址无效：%s", clip(u.String(), 200)), ErrBadSource, err)
	}
	req.Header.Set("User-Agent", f.opt.UserAgent)
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/json, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5")
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	if cond != nil {
		if cond.ETag != "" {
			req.Header.Set("If-None-Match", cond.ETag)
		}
		if cond.LastModified != "" {
			req.Header.Set("If-Modified-Since", cond.LastModified)
		}
	}
	resp, err := f.opt.Client.Do(req)
	if err != nil {
		return response{}, f.transportError(ctx, actx, u, lim, err)
	}
	defer resp.Body.Close()
	out := response{url: resp.Request.URL, contentType: resp.Header.Get("Content-Type"),
		etag: resp.Header.Get("ETag"), lastMod: resp.Header.Get("Last-Modified")}
	switch {
	case resp.StatusCode == http.StatusNotModified && cond != nil:
		out.notModified = true
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
		se := &StatusError{Code: resp.StatusCode, URL: u.String()}
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			if secs, err := strconv.Atoi(ra); err == nil {
				return out, &retryAfterError{StatusError: se, after: time.Duration(secs) * time.Second}
			}
		}
		return out, se
	}
	tooLarge := newUserError(fmt.Sprintf("响应超过 %s 上限", byteSize(lim.maxBytes)), ErrTooLarge)
	if resp.ContentLength > lim.maxBytes {
		return out, tooLarge
	}
	body, err := readLimited(resp.Body, resp.ContentLength, lim.maxBytes)
	if errors.Is(err, ErrTooLarge) {
		return out, tooLarge
	}
	if err != nil {
		return out, f.transportError(ctx, actx, u, lim, err)
	}
	out.body, out.encoding = toUTF8(body, out.contentType)
	return out, nil
}

// readLimited reads a body of at most max bytes. With a Content-Length it reads into one
// buffer of that size; without, it collects 64 KB blocks and joins them at the end, so refusing
// an endless body allocates about max bytes, not the doubling growth of a bytes.Buffer.
func readLimited(r io.Reader, length, max int64) ([]byte, error) {
	if length >= 0 && length <= max {
		buf := make([]byte, length+1) // +1 catches a server sending more than it announced
		n, err := io.ReadFull(r, buf)
		switch {
		case err == nil:
			return nil, ErrTooLarge
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return buf[:n], nil
		}
		return nil, err
	}
	var blocks [][]byte
	var total int64
	for {
		block := make([]byte, 64<<10)
		n, err := io.ReadFull(r, block)
		total += int64(n)
		if total > max {
			return nil, ErrTooLarge
		}
		blocks = append(blocks, block[:n])
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	out := make([]byte, 0, total)
	for _, b := range blocks {
		out = append(out, b...)
	}
	return out, nil
}

// transportError turns a failed request into ErrTimeout or ErrNetwork with a Chinese message;
// a cancelled parent context is returned as is.
func (f *Fetcher) transportError(ctx, actx context.Context, u *url.URL, lim limits, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ne net.Error
	if errors.Is(actx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return newUserError(fmt.Sprintf("连接超时（%s）", seconds(lim.timeout)), ErrTimeout, err)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return newUserError(fmt.Sprintf("找不到服务器 %s（域名解析失败）", u.Hostname()), ErrNetwork, err)
	}
	return newUserError(fmt.Sprintf("无法连接服务器 %s：%v", u.Host, err), ErrNetwork, err)
}

func seconds(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%d 秒", d/time.Second)
	}
	return fmt.Sprintf("%.1f 秒", d.Seconds())
}

// declRE finds the encoding in an XML declaration; metaRE a charset in an HTML meta tag.
var (
	declRE = regexp.MustCompile(`^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)
	metaRE = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)`)
)

// toUTF8 converts a body to UTF-8. A BOM decides; otherwise valid UTF-8 stays UTF-8 (sites
// often declare GB2312 and serve UTF-8, or the reverse); otherwise the first non-UTF-8 label
// from the HTTP charset, the XML declaration or an HTML meta tag is used, and GB18030 (the
// superset of GB2312 and GBK) when none is given. An XML declaration is rewritten to say UTF-8
// so the XML parser does not convert a second time.
func toUTF8(body []byte, contentType string) ([]byte, string) {
	switch {
	case bytes.HasPrefix(body, []byte("\xef\xbb\xbf")):
		return fixDecl(body[3:]), "UTF-8"
	case bytes.HasPrefix(body, []byte("\xff\xfe")), bytes.HasPrefix(body, []byte("\xfe\xff")):
		enc, name, _ := charset.DetermineEncoding(body, "")
		if out, err := enc.NewDecoder().Bytes(body); err == nil {
			return fixDecl(bytes.TrimPrefix(out, []byte("\xef\xbb\xbf"))), name
		}
	}
	if utf8.Valid(body) {
		return fixDecl(body), "UTF-8"
	}
	var labels []string
	if _, params, err := mime.ParseMediaType(contentType); err == nil && params["charset"] != "" {
		labels = append(labels, params["charset"])
	}
	head := body[:min(len(body), 4096)]
	if m := declRE.FindSubmatch(head); m != nil {
		labels = append(labels, string(m[1]))
	}
	if m := metaRE.FindSubmatch(head); m != nil {
		labels = append(labels, string(m[1]))
	}
	var enc encoding.Encoding = simplifiedchinese.GB18030
	name := "GB18030"
	for _, l := range labels {
		e, n := charset.Lookup(l)
		if e == nil || n == "utf-8" {
			continue
		}
		if n == "gbk" || n == "gb2312" || n == "gb18030" {
			break // GB18030 decodes all three
		}
		enc, name = e, n
		break
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return fixDecl(bytes.ToValidUTF8(body, []byte("\uFFFD"))), "UTF-8"
	}
	return fixDecl(out), strings.ToUpper(name)
}

// fixDecl makes an XML declaration say UTF-8 after the body has been converted.
func fixDecl(b []byte) []byte {
	head := b[:min(len(b), 200)]
	loc := declRE.FindSubmatchIndex(head)
	if loc == nil || strings.EqualFold(string(head[loc[2]:loc[3]]), "utf-8") {
		return b
	}
	out := make([]byte, 0, len(b))
	out = append(out, b[:loc[2]]...)
	out = append(out, "UTF-8"...)
	return append(out, b[loc[3]:]...)
}
