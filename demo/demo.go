// Package demo holds Minyi's embedded demo data set: a few hundred hand-written messages from the
// public of 惠州市 about urban management, so that a fresh install (or a training session) has
// something realistic to classify, route, search and chart without any live feed.
package demo

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/domain"
)

//go:embed demo.jsonl
var demoJSONL []byte

// TimeLayout is how times are written in demo.jsonl (and in the import format): local time in
// China Standard Time, without a zone.
const TimeLayout = "2006-01-02 15:04:05"

// ErrBadLine is returned when a line of the demo file cannot be read as a message.
var ErrBadLine = errors.New("演示数据格式错误")

// cst is China Standard Time. A fixed zone is used so that the package needs no tzdata.
var cst = time.FixedZone("CST", 8*3600)

// SourceName is the source name messages of a demo channel typically carry, or "" for a channel
// the demo set does not use.
func SourceName(channel string) string {
	switch channel {
	case domain.ChannelHotline:
		return "惠州市12345热线"
	case domain.ChannelMailbox:
		return "市长信箱"
	case domain.ChannelBoard:
		return "领导留言板"
	case domain.ChannelPetition:
		return "市信访局"
	}
	return ""
}

// line is one object of demo.jsonl; the field names are those of the JSON Lines import format.
type line struct {
	ID      string `json:"id"`
	Channel string `json:"channel"`
	Title   string `json:"title"`
	Body    string `json:"body"`
	Time    string `json:"time"`
	User    string `json:"user"`
}

// Items returns the demo messages with their times shifted so the newest is at now (keeps the set
// looking current); deterministic for a given now.
//
// The shift is a whole number of days, so a complaint about night-time noise still arrives at
// night: the newest message lands on now's calendar day (China time) at its own clock time, or on
// the day before if that clock time is later than now. Every returned time is therefore at most
// now and the newest within 24 hours of it. Items are in time order, oldest first.
func Items(now time.Time) ([]domain.Item, error) {
	items, err := parse(bytes.NewReader(demoJSONL))
	if err != nil {
		return nil, fmt.Errorf("read embedded demo.jsonl: %w", err)
	}
	shift(items, now)
	return items, nil
}

// parse reads demo messages in the JSON Lines import format, one object per line, refusing
// unknown fields, missing fields, unknown channels and invalid UTF-8 so that a typo in the
// embedded file fails the tests instead of reaching an officer's screen.
func parse(r io.Reader) ([]domain.Item, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	var items []domain.Item
	n := 0
	for sc.Scan() {
		n++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		if !utf8.Valid(raw) {
			return nil, fmt.Errorf("line %d: invalid UTF-8: %w", n, ErrBadLine)
		}
		var l line
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			return nil, fmt.Errorf("line %d: %v: %w", n, err, ErrBadLine)
		}
		if dec.More() {
			return nil, fmt.Errorf("line %d: trailing data: %w", n, ErrBadLine)
		}
		it, err := l.item()
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("scan demo lines: %w", err)
	}
	return items, nil
}

// item checks one line and turns it into a domain.Item.
func (l line) item() (domain.Item, error) {
	src := SourceName(l.Channel)
	switch {
	case src == "":
		return domain.Item{}, fmt.Errorf("unknown channel %q: %w", l.Channel, ErrBadLine)
	case strings.TrimSpace(l.ID) == "":
		return domain.Item{}, fmt.Errorf("missing id: %w", ErrBadLine)
	case strings.TrimSpace(l.Title) == "" || strings.TrimSpace(l.Body) == "":
		return domain.Item{}, fmt.Errorf("%s: empty title or body: %w", l.ID, ErrBadLine)
	}
	t, err := time.ParseInLocation(TimeLayout, l.Time, cst)
	if err != nil {
		return domain.Item{}, fmt.Errorf("%s: time %q: %v: %w", l.ID, l.Time, err, ErrBadLine)
	}
	return domain.Item{
		Source:   src,
		SourceID: l.ID,
		Channel:  l.Channel,
		Title:    l.Title,
		Body:     l.Body,
		Time:     t,
		Author:   l.User,
	}, nil
}

// shift moves every item by the same whole number of days so that the newest lands on now's day
// (or the day before, when its clock time is later than now's), and sorts the items oldest first.
func shift(items []domain.Item, now time.Time) {
	if len(items) == 0 {
		return
	}
	newest := items[0].Time
	for _, it := range items[1:] {
		if it.Time.After(newest) {
			newest = it.Time
		}
	}
	now = now.In(cst)
	n := newest.In(cst)
	nd := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, cst)
	td := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, cst)
	days := int(td.Sub(nd).Round(24*time.Hour) / (24 * time.Hour))
	if n.AddDate(0, 0, days).After(now) {
		days--
	}
	for i := range items {
		items[i].Time = items[i].Time.In(cst).AddDate(0, 0, days)
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].Time.Before(items[j].Time) })
}
