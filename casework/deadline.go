package casework

import (
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"minyi/domain"
)

// Limit is a time limit of a rule: a number of natural days or of working days.
type Limit struct {
	Days    int  `json:"days"`
	Working bool `json:"working"` // count working days on the calendar instead of natural days
}

// String renders the limit as an officer reads it, e.g. “13个工作日” or “60日”.
func (l Limit) String() string {
	if l.Working {
		return fmt.Sprintf("%d个工作日", l.Days)
	}
	return fmt.Sprintf("%d日", l.Days)
}

// Request types (诉求类型) that deadlines depend on.
const (
	TypeConsult    = "咨询"
	TypeComplaint  = "投诉"
	TypeSuggestion = "建议"
	TypeHelp       = "求助"
	TypeReport     = "举报"
	TypePraise     = "表扬"
)

// Rule gives the limits for one channel and request type; an empty Channel or Type matches any.
type Rule struct {
	Channel string `json:"channel"`
	Type    string `json:"type"`
	Accept  Limit  `json:"accept"` // from receipt to 受理
	Finish  Limit  `json:"finish"` // from 受理 (or 重办) to the reply
	Extend  Limit  `json:"extend"` // what one approved 延期 adds
}

// Policy is the deadline table; the first matching rule wins.
type Policy struct {
	Rules []Rule `json:"rules"`
	// UrgentPriority is the Analysis.Priority from which a case must be finished the day it is
	// accepted (紧急件当日办结); 0 disables it.
	UrgentPriority int `json:"urgent_priority"`
}

// DefaultPolicy is the deadline table Minyi starts with: 信访 by the 信访工作条例 (受理 15日, 办结 60日,
// 延期 30日); 12345 咨询 3个工作日, 投诉/建议/求助/举报 13个工作日; 留言板 and 信箱 15个工作日 like most
// provincial boards; priority 3 the same day.
func DefaultPolicy() Policy {
	wd := func(n int) Limit { return Limit{Days: n, Working: true} }
	nd := func(n int) Limit { return Limit{Days: n} }
	return Policy{
		UrgentPriority: 3,
		Rules: []Rule{
			{Channel: domain.ChannelPetition, Accept: nd(15), Finish: nd(60), Extend: nd(30)},
			{Channel: domain.ChannelHotline, Type: TypeConsult, Accept: wd(1), Finish: wd(3), Extend: wd(3)},
			{Channel: domain.ChannelHotline, Accept: wd(1), Finish: wd(13), Extend: wd(10)},
			{Channel: domain.ChannelBoard, Type: TypeConsult, Accept: wd(3), Finish: wd(5), Extend: wd(5)},
			{Channel: domain.ChannelMailbox, Type: TypeConsult, Accept: wd(3), Finish: wd(5), Extend: wd(5)},
			{Accept: wd(3), Finish: wd(15), Extend: wd(15)},
		},
	}
}

// Rule returns the first rule matching the record's channel and request type.
func (p Policy) Rule(r *domain.Record) Rule {
	return p.rule(r)
}

// rule is Rule without copying the policy; the request type is only read when a rule of the
// record's channel depends on it.
func (p *Policy) rule(r *domain.Record) Rule {
	typ, typed := "", false
	for i := range p.Rules {
		ru := &p.Rules[i]
		if ru.Channel != "" && ru.Channel != r.Channel {
			continue
		}
		if ru.Type != "" {
			if !typed {
				typ, typed = RequestType(r), true
			}
			if ru.Type != typ {
				continue
			}
		}
		return *ru
	}
	return Rule{Accept: Limit{Days: 3, Working: true}, Finish: Limit{Days: 15, Working: true}, Extend: Limit{Days: 15, Working: true}}
}

// RequestType tells 咨询, 投诉, 建议, 求助, 举报 or 表扬 for a record: a type given by the source
// (Extra 诉求类型 or type, or an Analysis.Matter that is one of them) wins; otherwise the title and
// the opening of the body decide, and a message that asks nothing specific is a 投诉.
func RequestType(r *domain.Record) string {
	for _, v := range [...]string{r.Extra["诉求类型"], r.Extra["type"], r.Analysis.Matter} {
		switch v {
		case TypeConsult, TypeComplaint, TypeSuggestion, TypeHelp, TypeReport, TypePraise:
			return v
		}
	}
	switch {
	case strings.HasPrefix(r.Title, "咨询") || !mentionsComplaint(r.Title) && asksPlease(r.Title, r.Body):
		return TypeConsult
	case strings.HasPrefix(r.Title, "表扬") || strings.HasPrefix(r.Title, "点赞") || strings.HasPrefix(r.Title, "感谢"):
		return TypePraise
	case strings.HasPrefix(r.Title, "举报"):
		return TypeReport
	case strings.Contains(r.Title, "建议"):
		return TypeSuggestion
	}
	return TypeComplaint
}

// headRunes is how much of the body, in runes, RequestType reads after the title.
const headRunes = 40

// asksPlease reports whether 请问 occurs in the title followed by the body's first headRunes
// runes, without building that string: a long body's opening counts as its runes re-encoded
// (an invalid byte reads as U+FFFD, which never is part of 请问), a short body as it is.
func asksPlease(title, body string) bool {
	const ask = "请问"
	if strings.Contains(title, ask) {
		return true
	}
	// Most texts fail fast: the opening lies within the body's first UTFMax·headRunes bytes,
	// and only a title ending in part of 请问 can have it straddle title and body.
	if !strings.Contains(body[:min(len(body), utf8.UTFMax*headRunes)], ask) && !endsInPart(title, ask) {
		return false
	}
	n, end := 0, len(body)
	for i := range body {
		if n == headRunes {
			end = i
			break
		}
		n++
	}
	head := body[:end]
	if strings.Contains(head, ask) {
		return true
	}
	if end == len(body) {
		// The title and the whole body, as they are: 请问 may straddle them at any byte.
		for k := 1; k < len(ask); k++ {
			if strings.HasSuffix(title, ask[:k]) && strings.HasPrefix(body, ask[k:]) {
				return true
			}
		}
		return false
	}
	// Re-encoded runes start with a lead byte, so only a whole 请|问 split can straddle them.
	return strings.HasSuffix(title, "请") && strings.HasPrefix(head, "问")
}

// endsInPart reports whether s ends with a non-empty proper prefix of w.
func endsInPart(s, w string) bool {
	for k := 1; k < len(w); k++ {
		if strings.HasSuffix(s, w[:k]) {
			return true
		}
	}
	return false
}

// mentionsComplaint is strings.ContainsAny(title, "投诉举报") without decoding the title: a valid
// rune's encoding occurs in a string only where that rune is decoded.
func mentionsComplaint(title string) bool {
	return strings.Contains(title, "投") || strings.Contains(title, "诉") || strings.Contains(title, "举") || strings.Contains(title, "报")
}

// Calendar methods below tie the day table to a Policy; see WithPolicy.

// WithPolicy returns a calendar sharing c's day table that computes deadlines by p.
func (c *Calendar) WithPolicy(p Policy) *Calendar {
	cp := *c
	cp.policy = &p
	return &cp
}

// Policy is the deadline table the calendar applies (DefaultPolicy unless set by WithPolicy).
func (c *Calendar) Policy() Policy { return *c.policyRef() }

// policyRef is the calendar's own policy, without copying it; nil means DefaultPolicy.
func (c *Calendar) policyRef() *Policy {
	if c.policy == nil {
		p := DefaultPolicy()
		return &p
	}
	return c.policy
}

// DueKind names which deadline of a case is meant.
type DueKind string

// Deadline kinds.
const (
	DueAccept DueKind = "受理" // receipt → 受理
	DueFinish DueKind = "办结" // 受理 or latest 重办 → reply
)

// Due computes the policy deadline of kind for r, without approved extensions (those are in
// r.Due): the end of the last allowed day in China time. Accept counts from the receipt, Finish
// from the latest 受理 or 重办 event (the receipt if there is none). A natural-day limit ending on a
// day off moves to the next working day; urgent records (Priority ≥ UrgentPriority) must be
// finished the day they are accepted.
func (c *Calendar) Due(r *domain.Record, kind DueKind) time.Time {
	p := c.policyRef()
	ru := p.rule(r)
	switch kind {
	case DueAccept:
		return c.addLimit(received(r), ru.Accept)
	default:
		from := received(r)
		if t, ok := lastEvent(r, ActAccept, ActReopen); ok {
			from = t
		}
		if p.UrgentPriority > 0 && r.Analysis.Priority >= p.UrgentPriority {
			return c.endOfDay(from)
		}
		return c.addLimit(from, ru.Finish)
	}
}

// addLimit is the end of the day l after from.
func (c *Calendar) addLimit(from time.Time, l Limit) time.Time {
	if l.Working {
		return c.endOfDay(c.AddWorkingDays(from, l.Days))
	}
	t := from.In(c.loc).AddDate(0, 0, l.Days)
	return c.endOfDay(c.AddWorkingDays(t, 0))
}

// extend moves a deadline by one extension l, counted from the deadline's own day.
func (c *Calendar) extend(due time.Time, l Limit) time.Time {
	if l.Days <= 0 {
		return due
	}
	return c.addLimit(due, l)
}

// received is when the city got the message: the store's receipt time, else the citizen's.
func received(r *domain.Record) time.Time {
	if !r.Received.IsZero() {
		return r.Received
	}
	return r.Time
}

// lastEvent is the time of the latest event with one of the actions.
func lastEvent(r *domain.Record, actions ...string) (time.Time, bool) {
	for i := len(r.Events) - 1; i >= 0; i-- {
		for _, a := range actions {
			if r.Events[i].Action == a {
				return r.Events[i].Time, true
			}
		}
	}
	return time.Time{}, false
}

// defaultCalendar is built once from the constant table; it is never modified afterwards.
var defaultCalendar = sync.OnceValue(NewCalendar)
