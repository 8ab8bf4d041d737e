package app

import "minyi/domain"

// The types in this file are what the UI sees: every bound method takes and returns them, and the
// HTTP API of `minyi serve` (POST /api/<Method> with a JSON array of arguments) encodes them as JSON.

// InboxQuery selects the officer's worklist. Empty fields mean "any".
type InboxQuery struct {
	Status     string `json:"status"`
	Channel    string `json:"channel"`
	Category   string `json:"category"`
	Department string `json:"department"`
	District   string `json:"district"`
	Text       string `json:"text"`
	Offset     int    `json:"offset"`
	Limit      int    `json:"limit"` // default 50, at most 500
}

// Row is one line of the inbox or of a search result.
type Row struct {
	ID         string  `json:"id"`
	Time       string  `json:"time"` // RFC 3339
	Source     string  `json:"source"`
	Channel    string  `json:"channel"`
	Title      string  `json:"title"`
	Category   string  `json:"category"`
	Matter     string  `json:"matter"`
	Department string  `json:"department"` // assigned department, else the first suggestion
	Sentiment  string  `json:"sentiment"`
	Status     string  `json:"status"`
	District   string  `json:"district"`
	Priority   int     `json:"priority"`
	Due        string  `json:"due,omitempty"`
	Score      float64 `json:"score,omitempty"`
	// Snippet is plain text in which U+E000 opens and U+E001 closes a highlighted match.
	// It is never HTML: the UI splits on the markers and renders text nodes.
	Snippet string `json:"snippet,omitempty"`
}

// Page is a slice of rows and how many there are in all.
type Page struct {
	Total int   `json:"total"`
	Items []Row `json:"items"`
}

// SearchQuery is the 检索 screen's request. Query uses the search syntax: words, "quoted phrases",
// AND OR NOT (or -word), and field prefixes 标题: 部门: 分类: 区县:.
type SearchQuery struct {
	Query      string `json:"query"`
	Category   string `json:"category"`
	Department string `json:"department"`
	Status     string `json:"status"`
	District   string `json:"district"`
	Channel    string `json:"channel"`
	Sentiment  string `json:"sentiment"`
	Since      string `json:"since"` // YYYY-MM-DD, inclusive
	Until      string `json:"until"` // YYYY-MM-DD, inclusive
	Sort       string `json:"sort"`  // "relevance" (default when there is a query) or "time" (newest first)
	Offset     int    `json:"offset"`
	Limit      int    `json:"limit"`
}

// SearchResult is a page of hits with facet counts over the whole result set.
type SearchResult struct {
	Total  int                       `json:"total"`
	TookMS float64                   `json:"took_ms"`
	Hits   []Row                     `json:"hits"`
	Facets map[string]map[string]int `json:"facets"` // category, department, status, district, channel, sentiment, month
}

// RecordView is one message opened in the detail pane.
type RecordView struct {
	Record domain.Record `json:"record"`
	// Marks are the strings to highlight in the title and body: places and keywords.
	Marks   []Mark `json:"marks"`
	Similar []Row  `json:"similar"`
}

// Mark is a string to highlight in the detail pane and why.
type Mark struct {
	Text string `json:"text"`
	Kind string `json:"kind"` // "place" or "keyword" or "urgency"
}

// Count is a label with a number, for charts.
type Count struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// DayCount is one day of volume.
type DayCount struct {
	Date     string `json:"date"` // YYYY-MM-DD
	Count    int    `json:"count"`
	Negative int    `json:"negative"`
}

// Dashboard is the 舆情 screen's data for the last Days days.
type Dashboard struct {
	Days          int        `json:"days"`
	Total         int        `json:"total"`
	NegativeShare float64    `json:"negative_share"`
	ByDay         []DayCount `json:"by_day"`
	ByCategory    []Count    `json:"by_category"`
	ByChannel     []Count    `json:"by_channel"`
	ByDistrict    []Count    `json:"by_district"`
	BySentiment   []Count    `json:"by_sentiment"`
	ByDepartment  []Count    `json:"by_department"`
	HotWords      []Count    `json:"hot_words"`
}

// ImportResult is what an import or a demo load reports; the CLI prints it as one JSON line.
type ImportResult struct {
	Read      int        `json:"read"`
	New       int        `json:"new"`
	Duplicate int        `json:"duplicate"`
	Rejected  int        `json:"rejected"`
	Errors    []RowError `json:"errors"`
}

// RowError names a rejected line of an imported file.
type RowError struct {
	File  string `json:"file,omitempty"`
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// Status is the status bar: how much is stored and indexed, and banners the officer must see.
type Status struct {
	Version  string   `json:"version"`
	DataDir  string   `json:"data_dir"`
	Records  int      `json:"records"`
	Indexed  int      `json:"indexed"`
	Banners  []string `json:"banners"`
	Channels []string `json:"channels"`
	Statuses []string `json:"statuses"`
}
