package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrWebhookURL means the configured webhook address is not an http(s) URL.
var ErrWebhookURL = errors.New("告警推送地址应以 http:// 或 https:// 开头")

// Webhook posts alerts to a group-chat robot (企业微信 or 钉钉: both accept
// {"msgtype":"text","text":{"content":…}}) with retries and exponential backoff.
type Webhook struct {
	URL      string
	Client   *http.Client  // default: 10 s timeout
	Attempts int           // default 4
	Backoff  time.Duration // first wait between attempts, doubled each time (default 1 s)
}

// NewWebhook checks rawURL and returns a webhook with default client and retry policy.
func NewWebhook(rawURL string) (*Webhook, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("webhook %q: %w", rawURL, ErrWebhookURL)
	}
	return &Webhook{URL: u.String(), Client: &http.Client{Timeout: 10 * time.Second}, Attempts: 4, Backoff: time.Second}, nil
}

// robotMessage is the text message both robots accept.
type robotMessage struct {
	MsgType string `json:"msgtype"`
	Text    struct {
		Content string `json:"content"`
	} `json:"text"`
}

// robotReply is the robots' answer: errcode 0 means delivered.
type robotReply struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// AlertText is the plain-text message for one alert.
func AlertText(a Alert) string {
	return fmt.Sprintf("【民意·%s·%s】%s\n相关来件：%s", a.Level, a.Kind, a.Title, strings.Join(a.Evidence[:min(len(a.Evidence), 10)], " "))
}

// Send posts the alerts as one message. It retries on network errors, 429 and 5xx, and on a
// robot's non-zero errcode, waiting Backoff, 2·Backoff, … between attempts; ctx bounds it all.
func (w *Webhook) Send(ctx context.Context, alerts []Alert) error {
	if len(alerts) == 0 {
		return nil
	}
	var msg robotMessage
	msg.MsgType = "text"
	parts := make([]string, len(alerts))
	for i, a := range alerts {
		parts[i] = AlertText(a)
	}
	msg.Text.Content = strings.Join(parts, "\n\n")
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("encode webhook message: %w", err)
	}
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	attempts, wait := max(w.Attempts, 1), w.Backoff
	var last error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				return fmt.Errorf("webhook: %w (last: %v)", ctx.Err(), last)
			case <-time.After(wait):
			}
			wait *= 2
		}
		retry, err := w.post(ctx, client, body)
		if err == nil {
			return nil
		}
		last = err
		if !retry {
			break
		}
	}
	return fmt.Errorf("webhook after %d attempts: %w", attempts, last)
}

func (w *Webhook) post(ctx context.Context, client *http.Client, body []byte) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := client.Do(req)
	if err != nil {
		return true, fmt.Errorf("webhook post: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return true, fmt.Errorf("webhook status %s", resp.Status)
	}
	if resp.StatusCode >= 300 {
		return false, fmt.Errorf("webhook status %s", resp.Status)
	}
	var rr robotReply
	if json.Unmarshal(raw, &rr) == nil && rr.ErrCode != 0 {
		return true, fmt.Errorf("webhook errcode %d: %s", rr.ErrCode, rr.ErrMsg)
	}
	return false, nil
}
