package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"minyi/domain"
	"minyi/index"
)

// ErrBadDate means a date filter was not YYYY-MM-DD.
var ErrBadDate = errors.New("日期格式应为 YYYY-MM-DD")

// parseDay reads an officer's date (YYYY-MM-DD, also YYYY/M/D) as the start of that day in China.
func parseDay(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02", "2006/1/2", "2006-1-2", "20060102"} {
		if t, err := time.ParseInLocation(layout, s, cst); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: %w", s, ErrBadDate)
}

// toIndexQuery turns the UI's request into the index's query (Until becomes exclusive).
func toIndexQuery(q SearchQuery) (index.Query, error) {
	since, err := parseDay(q.Since)
	if err != nil {
		return index.Query{}, err
	}
	until, err := parseDay(q.Until)
	if err != nil {
		return index.Query{}, err
	}
	if !until.IsZero() {
		until = until.AddDate(0, 0, 1)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	limit = min(limit, 1000)
	return index.Query{
		Text: strings.TrimSpace(q.Query), Category: q.Category, Department: q.Department, Status: q.Status,
		District: q.District, Channel: q.Channel, Sentiment: q.Sentiment,
		Since: since, Until: until, Sort: q.Sort, Limit: limit, Offset: max(q.Offset, 0),
	}, nil
}

// Search runs a search with facets and highlighted snippets.
func (c *Core) Search(ctx context.Context, q SearchQuery) (SearchResult, error) {
	iq, err := toIndexQuery(q)
	if err != nil {
		return SearchResult{}, err
	}
	iq.Facets, iq.Highlight = true, true
	res, err := c.Index.Search(ctx, iq)
	if err != nil {
		return SearchResult{}, err
	}
	out := SearchResult{Total: int(res.Total), TookMS: float64(res.Took.Microseconds()) / 1000, Facets: res.Facets, Hits: rowsFromHits(res.Hits)}
	if out.Facets == nil {
		out.Facets = map[string]map[string]int{}
	}
	return out, nil
}

// Inbox lists the officer's worklist newest first, with the same filters as search.
func (c *Core) Inbox(ctx context.Context, q InboxQuery) (Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	iq := index.Query{
		Text: strings.TrimSpace(q.Text), Status: q.Status, Channel: q.Channel, Category: q.Category,
		Department: q.Department, District: q.District, Sort: "time", Limit: min(limit, 500), Offset: max(q.Offset, 0),
	}
	res, err := c.Index.Search(ctx, iq)
	if err != nil {
		return Page{}, err
	}
	rows := rowsFromHits(res.Hits)
	// The index knows status and department; priority and due date come from the store.
	for i := range rows {
		if r, err := c.Store.Get(ctx, rows[i].ID); err == nil {
			rows[i] = rowFromRecord(r)
		}
	}
	return Page{Total: int(res.Total), Items: rows}, nil
}

func rowsFromHits(hits []index.Hit) []Row {
	rows := make([]Row, 0, len(hits))
	for _, h := range hits {
		rows = append(rows, Row{
			ID: h.ID, Time: h.Time.In(cst).Format(time.RFC3339), Title: h.Title, Category: h.Category,
			Department: h.Department, Status: h.Status, District: h.District, Channel: h.Channel,
			Sentiment: h.Sentiment, Score: h.Score, Snippet: h.Snippet,
		})
	}
	return rows
}

func rowFromRecord(r *domain.Record) Row {
	dept := r.Department
	if dept == "" {
		dept = r.SuggestedDepartment()
	}
	row := Row{
		ID: r.ID, Time: r.Time.In(cst).Format(time.RFC3339), Source: r.Source, Channel: r.Channel, Title: r.Title,
		Category: r.Analysis.Category, Matter: r.Analysis.Matter, Department: dept, Sentiment: r.Analysis.Sentiment,
		Status: r.Status, District: r.Analysis.District, Priority: r.Analysis.Priority,
	}
	if !r.Due.IsZero() {
		row.Due = r.Due.In(cst).Format(time.RFC3339)
	}
	return row
}

// Get opens one record with what to highlight in it and its similar cases.
func (c *Core) Get(ctx context.Context, id string) (RecordView, error) {
	r, err := c.Store.Get(ctx, strings.TrimSpace(id))
	if err != nil {
		return RecordView{}, err
	}
	v := RecordView{Record: *r, Marks: marksOf(&r.Analysis)}
	hits, err := c.Index.Similar(ctx, r.ID, 8)
	if err != nil {
		c.Log.Warn("similar cases", "id", r.ID, "err", err)
	}
	v.Similar = rowsFromHits(hits)
	return v, nil
}

// marksOf lists the strings to highlight: places first (longest first so 江北街道 wins over 江北).
func marksOf(a *domain.Analysis) []Mark {
	seen := map[string]bool{}
	var marks []Mark
	add := func(text, kind string) {
		text = strings.TrimSpace(text)
		if text == "" || seen[text] {
			return
		}
		seen[text] = true
		marks = append(marks, Mark{Text: text, Kind: kind})
	}
	for _, p := range a.Places {
		add(p.Name, "place")
	}
	for _, u := range a.UrgencyCues {
		add(u, "urgency")
	}
	for _, k := range a.Keywords {
		add(k, "keyword")
	}
	sort.SliceStable(marks, func(i, j int) bool { return len(marks[i].Text) > len(marks[j].Text) })
	return marks
}

// Dashboard summarises the last days of messages for the 舆情 screen.
func (c *Core) Dashboard(ctx context.Context, days int) (Dashboard, error) {
	if days <= 0 {
		days = 30
	}
	now := c.Now().In(cst)
	start := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, cst).AddDate(0, 0, -(days - 1))
	d := Dashboard{Days: days}
	byDay := map[string]*DayCount{}
	for i := 0; i < days; i++ {
		day := start.AddDate(0, 0, i).Format("2006-01-02")
		d.ByDay = append(d.ByDay, DayCount{Date: day})
	}
	for i := range d.ByDay {
		byDay[d.ByDay[i].Date] = &d.ByDay[i]
	}
	cat, ch, dist, sent, dept, words := counter{}, counter{}, counter{}, counter{}, counter{}, counter{}
	negative := 0
	err := c.Store.Scan(ctx, 0, func(r *domain.Record) error {
		if r.Time.Before(start) {
			return nil
		}
		d.Total++
		dc := byDay[r.Time.In(cst).Format("2006-01-02")]
		if dc != nil {
			dc.Count++
		}
		if r.Analysis.Sentiment == domain.SentimentNegative {
			negative++
			if dc != nil {
				dc.Negative++
			}
		}
		cat.add(r.Analysis.Category)
		ch.add(r.Channel)
		dist.add(r.Analysis.District)
		sent.add(r.Analysis.Sentiment)
		if dep := r.Department; dep != "" {
			dept.add(dep)
		} else {
			dept.add(r.SuggestedDepartment())
		}
		for _, k := range r.Analysis.Keywords {
			words.add(k)
		}
		return nil
	})
	if err != nil {
		return d, err
	}
	if d.Total > 0 {
		d.NegativeShare = float64(negative) / float64(d.Total)
	}
	d.ByCategory, d.ByChannel, d.ByDistrict = cat.top(20), ch.top(20), dist.top(30)
	d.BySentiment, d.ByDepartment, d.HotWords = sent.top(5), dept.top(15), words.top(40)
	return d, nil
}

type counter map[string]int

func (c counter) add(k string) {
	if k != "" {
		c[k]++
	}
}

// top returns the n largest counts, ties broken by name so the output is reproducible.
func (c counter) top(n int) []Count {
	out := make([]Count, 0, len(c))
	for k, v := range c {
		out = append(out, Count{Name: k, Count: v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// StatusInfo reports counts and the banners the officer must see.
func (c *Core) StatusInfo(ctx context.Context) (Status, error) {
	n, err := c.Store.Count(ctx)
	if err != nil {
		return Status{}, err
	}
	indexed, err := c.Index.Count()
	if err != nil {
		return Status{}, err
	}
	st := Status{
		Version: c.Version, DataDir: c.DataDir, Records: n, Indexed: int(indexed), Banners: []string{},
		Channels: domain.Channels(),
		Statuses: []string{domain.StatusNew, domain.StatusAccepted, domain.StatusToDispatch, domain.StatusDispatched, domain.StatusSigned,
			domain.StatusHandling, domain.StatusReplied, domain.StatusVisited, domain.StatusClosed, domain.StatusRejected},
	}
	if int(indexed) < n {
		st.Banners = append(st.Banners, fmt.Sprintf("检索索引正在补建：已索引 %d / %d 条", indexed, n))
	}
	st.Banners = c.sourceBanners(ctx, st.Banners)
	return st, nil
}
