package app

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/bits"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/casework"
	"minyi/domain"
	"minyi/store"
)

// Case actions that group and ungroup messages; recorded as events and in the audit chain.
const (
	ActMerge = "合并"
	ActSplit = "拆分"
)

// simHash is the 64-bit SimHash of a message's words: each word votes on every bit with its
// weight, so messages sharing most of their (weighted) words get hashes a few bits apart. Longer
// words weigh more than single characters, which carry little. (Keywords are not boosted: their
// selection shifts between two versions of a text and pushed re-posts apart.)
func simHash(a *domain.Analysis) uint64 {
	var v [64]int
	for _, w := range a.Words {
		n := utf8.RuneCountInString(w)
		weight := min(n, 3)
		h := mix64(fnv64(w))
		for b := 0; b < 64; b++ {
			if h&(1<<b) != 0 {
				v[b] += weight
			} else {
				v[b] -= weight
			}
		}
	}
	var out uint64
	for b := 0; b < 64; b++ {
		if v[b] > 0 {
			out |= 1 << b
		}
	}
	return out
}

func fnv64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// mix64 is the splitmix64 finaliser: FNV's high bits are poorly mixed for short keys.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func hamming(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// Near-duplicate grouping parameters, measured on teddy2020c_hot (see duplicates_test.go): at
// SimHash distance ≤ 8 most near-identical re-posts are found while unrelated messages almost never
// come that close; messages by the same person, or naming the same street, may differ more.
const (
	dupWindow         = 30 * 24 * time.Hour
	dupMaxDistance    = 8
	dupPersonDistance = 12
	dupMinWords       = 5 // shorter messages carry too little to compare
)

// phoneRe finds a mainland mobile number in a message, the surest sign of the same writer.
var phoneRe = regexp.MustCompile(`(?:^|\D)(1[3-9]\d{9})(?:\D|$)`)

// anonymous author values that identify nobody.
var anonymous = map[string]bool{"匿名": true, "匿名用户": true, "游客": true, "网友": true, "市民": true, "未知": true}

// personKey identifies who wrote a message: a phone number in the text first, else the author
// id or name the source gives; "" when there is none.
func personKey(r *domain.Record) string {
	if m := phoneRe.FindStringSubmatch(r.Title + "\n" + r.Body); m != nil {
		return "tel:" + m[1]
	}
	a := strings.TrimSpace(r.Author)
	if a == "" || anonymous[a] || strings.Contains(a, "*") || strings.Contains(a, "某") {
		return "" // 张某某 and 谢** are redactions, not identities
	}
	for _, s := range []string{"先生", "女士", "小姐", "师傅", "阿姨"} {
		if strings.HasSuffix(a, s) && utf8.RuneCountInString(a) <= 4 {
			return "" // 吴女士 names thousands of people
		}
	}
	if m := phoneRe.FindStringSubmatch(a); m != nil {
		return "tel:" + m[1]
	}
	return "id:" + a
}

// grouper joins new messages to open cases they nearly duplicate (store.Grouper).
type grouper struct {
	now func() time.Time
}

func (g grouper) Sketch(r *domain.Record) store.Sketch {
	if len(r.Analysis.Words) < dupMinWords {
		return store.Sketch{Skip: true}
	}
	return store.Sketch{Hash: simHash(&r.Analysis), Person: personKey(r)}
}

// samePlace is false only when both messages name a district or street and the names differ: the
// same complaint template about two places is two cases.
func samePlace(a, b *domain.Analysis) bool {
	if a.District != "" && b.District != "" && a.District != b.District {
		return false
	}
	return a.Street == "" || b.Street == "" || a.Street == b.Street
}

func (g grouper) Join(r *domain.Record, cands []store.Candidate) (store.AuditEntry, bool) {
	best := -1
	for i, c := range cands {
		cr := c.Record
		if !casework.IsOpen(cr.Status) || !samePlace(&r.Analysis, &cr.Analysis) {
			continue
		}
		sameStreet := r.Analysis.Street != "" && r.Analysis.Street == cr.Analysis.Street
		if c.Distance > dupMaxDistance && !((c.SamePerson || sameStreet) && c.Distance <= dupPersonDistance) {
			continue
		}
		if best < 0 || c.Distance < cands[best].Distance || (c.Distance == cands[best].Distance && cr.Seq < cands[best].Record.Seq) {
			best = i
		}
	}
	if best < 0 {
		return store.AuditEntry{}, false
	}
	c := cands[best]
	caseID := c.Record.CaseID
	if caseID == "" {
		caseID = c.Record.ID
	}
	why := fmt.Sprintf("与 %s 内容相近（相似度距离 %d）", c.Record.ID, c.Distance)
	if c.SamePerson {
		why = fmt.Sprintf("与 %s 为同一来信人且内容相近（相似度距离 %d）", c.Record.ID, c.Distance)
	}
	why += "，自动并入案件 " + caseID
	now := g.now()
	r.CaseID = caseID
	r.Events = append(r.Events, domain.Event{Time: now, Actor: casework.SystemActor, Action: ActMerge, From: r.Status, To: r.Status, Reason: why})
	return store.AuditEntry{Time: now, Actor: casework.SystemActor, Action: ActMerge, Reason: why}, true
}

// GroupDuplicates runs the near-duplicate pass over every record stored since the last pass:
// a message close to an open case of the last 30 days (same place when both name one) joins that
// case. Ingest should call it after each commit; views that show cases call it too, so they are
// never behind. It is cheap when nothing is new.
func (c *Core) GroupDuplicates(ctx context.Context) (store.GroupResult, error) {
	res, err := c.Store.GroupNew(ctx, grouper{now: c.Now}, store.GroupOptions{
		Window: dupWindow, MaxDistance: dupPersonDistance, PersonDistance: dupPersonDistance,
	})
	if err != nil {
		return res, err
	}
	var recs []*domain.Record
	for _, id := range res.Joined {
		if r, err := c.Store.Get(ctx, id); err == nil {
			recs = append(recs, r)
		}
	}
	c.reindex(ctx, recs...)
	if len(res.Joined) > 0 {
		c.Log.Info("near duplicates grouped", "seen", res.Seen, "joined", len(res.Joined))
	}
	return res, nil
}

// ErrMergeOne means a merge named records that are all in one case already.
var ErrMergeOne = errors.New("所选记录已在同一案件中，无需合并")

// ErrNotMerged means a split named a record that is alone in its case.
var ErrNotMerged = errors.New("该记录没有与其他记录合并，无需拆分")

// idLess orders record ids by their sequence (M1000000 after M999999).
func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func caseOf(r *domain.Record) string {
	if r.CaseID == "" {
		return r.ID
	}
	return r.CaseID
}

// Merge joins the cases of the given records into one: the case of the earliest record. Every
// message of every case involved moves, in one transaction with one audit entry.
func (c *Core) Merge(ctx context.Context, ids []string, reason, actor string) ([]*domain.Record, error) {
	cases := map[string]bool{}
	for _, id := range ids {
		r, err := c.Store.Get(ctx, strings.TrimSpace(id))
		if err != nil {
			return nil, err
		}
		cases[caseOf(r)] = true
	}
	if len(cases) < 2 {
		return nil, ErrMergeOne
	}
	target := ""
	for cs := range cases {
		if target == "" || idLess(cs, target) {
			target = cs
		}
	}
	var move []string
	for cs := range cases {
		if cs == target {
			continue
		}
		m, err := c.Store.CaseMembers(ctx, cs)
		if err != nil {
			return nil, err
		}
		move = append(move, m...)
	}
	sort.Slice(move, func(i, j int) bool { return idLess(move[i], move[j]) })
	now := c.Now()
	why := "合并至案件 " + target
	if r := strings.TrimSpace(reason); r != "" {
		why += "；" + r
	}
	entry := store.AuditEntry{Time: now, Actor: actor, Action: ActMerge, Reason: strings.TrimSpace(reason), Detail: why}
	recs, err := c.Store.UpdateManyAudited(ctx, move, entry, func(r *domain.Record) error {
		if caseOf(r) == target {
			return nil
		}
		r.CaseID = target
		r.Events = append(r.Events, domain.Event{Time: now, Actor: actor, Action: ActMerge, From: r.Status, To: r.Status, Reason: why})
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.reindex(ctx, recs...)
	return recs, nil
}

// Split takes one message out of its case into a case of its own. When it was the case's first
// message, the others stay together under the next earliest one.
func (c *Core) Split(ctx context.Context, id, reason, actor string) ([]*domain.Record, error) {
	id = strings.TrimSpace(id)
	r, err := c.Store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	cs := caseOf(r)
	members, err := c.Store.CaseMembers(ctx, cs)
	if err != nil {
		return nil, err
	}
	if len(members) < 2 {
		return nil, ErrNotMerged
	}
	now := c.Now()
	reason = strings.TrimSpace(reason)
	ev := func(r *domain.Record, why string) {
		if reason != "" {
			why += "；" + reason
		}
		r.Events = append(r.Events, domain.Event{Time: now, Actor: actor, Action: ActSplit, From: r.Status, To: r.Status, Reason: why})
	}
	entry := store.AuditEntry{Time: now, Actor: actor, Action: ActSplit, Reason: reason}
	var recs []*domain.Record
	if id != cs {
		entry.Detail = fmt.Sprintf("%s 从案件 %s 拆出", id, cs)
		recs, err = c.Store.UpdateManyAudited(ctx, []string{id}, entry, func(r *domain.Record) error {
			r.CaseID = r.ID
			ev(r, "从案件 "+cs+" 拆出，单独成案")
			return nil
		})
	} else {
		var rest []string
		for _, m := range members {
			if m != id {
				rest = append(rest, m)
			}
		}
		sort.Slice(rest, func(i, j int) bool { return idLess(rest[i], rest[j]) })
		head := rest[0]
		entry.Detail = fmt.Sprintf("%s 从案件中拆出，其余记录改由 %s 牵头", id, head)
		ids := append([]string{id}, rest...)
		recs, err = c.Store.UpdateManyAudited(ctx, ids, entry, func(r *domain.Record) error {
			if r.ID == id {
				ev(r, "从案件拆出，单独成案")
				return nil // stays its own case
			}
			r.CaseID = head
			ev(r, fmt.Sprintf("原牵头记录 %s 拆出，案件改由 %s 牵头", id, head))
			return nil
		})
	}
	if err != nil {
		return nil, err
	}
	c.reindex(ctx, recs...)
	return recs, nil
}

// CaseView is one case as the detail pane and `minyi case` show it: its first message, every
// message grouped into it, the merged timeline, the deadline and what may be done next.
type CaseView struct {
	CaseID      string              `json:"case_id"`
	Record      domain.Record       `json:"record"` // the message asked for
	Messages    []Row               `json:"messages"`
	Timeline    []TimelineEvent     `json:"timeline"`
	Due         string              `json:"due,omitempty"` // RFC 3339, the deadline that applies now
	Overdue     bool                `json:"overdue"`
	Suggestions []domain.Suggestion `json:"suggestions"`
	Allowed     []string            `json:"allowed"`     // actions legal in the record's status
	SamePerson  []Row               `json:"same_person"` // other recent messages by the same writer
}

// TimelineEvent is one event of a case with the message it happened to.
type TimelineEvent struct {
	ID string `json:"id"`
	domain.Event
}

// Case opens the case of message id with all its messages and their merged history.
func (c *Core) Case(ctx context.Context, id string) (CaseView, error) {
	if _, err := c.GroupDuplicates(ctx); err != nil {
		c.Log.Warn("near-duplicate pass before opening a case", "err", err)
	}
	r, err := c.Store.Get(ctx, strings.TrimSpace(id))
	if err != nil {
		return CaseView{}, err
	}
	v := CaseView{CaseID: caseOf(r), Record: *r, Suggestions: r.Suggestions, Allowed: casework.Allowed(r.Status),
		Messages: []Row{}, Timeline: []TimelineEvent{}, SamePerson: []Row{}}
	if v.Suggestions == nil {
		v.Suggestions = []domain.Suggestion{}
	}
	if v.Allowed == nil {
		v.Allowed = []string{}
	}
	if casework.IsOpen(r.Status) {
		v.Due = c.Calendar.DueOf(r).In(cst).Format(time.RFC3339)
		v.Overdue = c.Calendar.Overdue(r, c.Now())
	}
	members, err := c.Store.CaseMembers(ctx, v.CaseID)
	if err != nil {
		return v, err
	}
	inCase := map[string]bool{}
	for _, m := range members {
		mr, err := c.Store.Get(ctx, m)
		if err != nil {
			continue // a member index entry whose record is gone shows nothing
		}
		inCase[m] = true
		v.Messages = append(v.Messages, rowFromRecord(mr))
		for _, ev := range mr.Events {
			v.Timeline = append(v.Timeline, TimelineEvent{ID: m, Event: ev})
		}
	}
	sort.SliceStable(v.Timeline, func(i, j int) bool { return v.Timeline[i].Time.Before(v.Timeline[j].Time) })
	if p := personKey(r); p != "" {
		ids, err := c.Store.PersonRecords(ctx, p)
		if err != nil {
			return v, err
		}
		for _, pid := range ids {
			if pid == r.ID {
				continue
			}
			if pr, err := c.Store.Get(ctx, pid); err == nil {
				v.SamePerson = append(v.SamePerson, rowFromRecord(pr))
			}
		}
	}
	return v, nil
}
