// Package domain holds the types every other package speaks: an incoming Item, its Analysis,
// routing Suggestions and the stored Record. It imports nothing of the project, so feed, nlp,
// index, store and route can all depend on it without depending on one another.
package domain

import "time"

// Channels through which the public reaches the city. Item.Channel holds one of these.
const (
	ChannelPetition = "信访"
	ChannelHotline  = "12345"
	ChannelBoard    = "留言板"
	ChannelMailbox  = "信箱"
	ChannelMedia    = "媒体"
	ChannelOther    = "其他"
)

// Channels lists the channels in the order the UI shows them.
func Channels() []string {
	return []string{ChannelPetition, ChannelHotline, ChannelBoard, ChannelMailbox, ChannelMedia, ChannelOther}
}

// Sentiment labels shown to PR staff.
const (
	SentimentNegative = "负面"
	SentimentNeutral  = "中性"
	SentimentPositive = "正面"
)

// Item is one message as a feed or an import delivers it, before any analysis.
// Title and Body are plain text (feeds convert HTML on intake); Raw keeps the original markup.
type Item struct {
	Source     string            `json:"source"`               // source name, e.g. "市长信箱" or the import file name
	SourceID   string            `json:"source_id,omitempty"`  // GUID, id or link in the source; "" when it has none
	Channel    string            `json:"channel"`              // one of the Channel… constants
	Title      string            `json:"title"`                // plain text
	Body       string            `json:"body"`                 // plain text
	Time       time.Time         `json:"time"`                 // when the citizen wrote it
	Author     string            `json:"author,omitempty"`     // user id, name or phone as the source gives it
	URL        string            `json:"url,omitempty"`        // link to the original
	Label      string            `json:"label,omitempty"`      // a category already given by the source (training data)
	Department string            `json:"department,omitempty"` // a department already given by the source (dispatch history)
	Likes      int               `json:"likes,omitempty"`
	Dislikes   int               `json:"dislikes,omitempty"`
	Raw        string            `json:"raw,omitempty"`   // original HTML or markup, kept for reference, never rendered
	Extra      map[string]string `json:"extra,omitempty"` // fields we do not know, kept with the record
}

// Token is one word of a segmented text with its byte offsets in that text.
type Token struct {
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Pos   string `json:"pos,omitempty"`
}

// Place is an administrative place or road found in a text, normalised to its hierarchy.
type Place struct {
	Name  string   `json:"name"`            // as written in the text, e.g. "江北"
	Full  string   `json:"full"`            // canonical name, e.g. "江北街道"
	Level string   `json:"level"`           // one of the Place… levels below
	Path  []string `json:"path,omitempty"`  // canonical names from province down, e.g. [广东省 惠州市 惠城区 江北街道]
	Start int      `json:"start,omitempty"` // byte offset in title+"\n"+body
	End   int      `json:"end,omitempty"`
}

// Place levels (Place.Level), from the top: the analysis writes them and routing reads them.
const (
	PlaceProvince  = "省"
	PlaceCity      = "市"
	PlaceDistrict  = "区县"
	PlaceStreet    = "街道"
	PlaceCommunity = "社区" // 居委会/村委会
	PlaceRoad      = "道路"
)

// Analysis is what Minyi reads from a message's text. It is computed once, on intake.
type Analysis struct {
	Words         []string `json:"words,omitempty"`          // the one segmentation, lower-cased, without stop words
	Category      string   `json:"category"`                 // matter category (一级分类)
	CategoryProb  float64  `json:"category_prob,omitempty"`  // calibrated probability of Category
	Matter        string   `json:"matter,omitempty"`         // finer matter type, e.g. 渣土车, 占道经营
	Sentiment     string   `json:"sentiment"`                // 负面 中性 正面
	SentimentProb float64  `json:"sentiment_prob,omitempty"` // probability that the message is negative
	Emotion       string   `json:"emotion,omitempty"`
	Places        []Place  `json:"places,omitempty"`
	District      string   `json:"district,omitempty"` // the 区县 the message is about, if found
	Street        string   `json:"street,omitempty"`   // the 街道/镇 the message is about, if found
	Keywords      []string `json:"keywords,omitempty"`
	UrgencyCues   []string `json:"urgency_cues,omitempty"` // e.g. 安全隐患, 多次反映
	Priority      int      `json:"priority"`               // 0 normal … 3 urgent
}

// Suggestion is one candidate department for a message, with the reasons shown to the officer.
type Suggestion struct {
	Department string   `json:"department"`
	Confidence float64  `json:"confidence"`
	Reasons    []string `json:"reasons,omitempty"` // in Chinese: matched rule, terms, place, similar cases
	Flagged    bool     `json:"flagged,omitempty"` // this pairing is often returned (退单)
}

// Case statuses of the petition lifecycle.
const (
	StatusNew        = "待受理"
	StatusAccepted   = "已受理"
	StatusToDispatch = "待派单"
	StatusDispatched = "已派单"
	StatusSigned     = "已签收"
	StatusHandling   = "办理中"
	StatusReplied    = "已答复"
	StatusVisited    = "已回访"
	StatusClosed     = "已办结"
	StatusRejected   = "不予受理"
)

// Event is one step in a record's history: who did what, when, and why.
type Event struct {
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"` // e.g. 派单, 退单, 办结, 导入
	From   string    `json:"from,omitempty"`
	To     string    `json:"to,omitempty"`
	Reason string    `json:"reason,omitempty"`
}

// Record is a stored message: the Item as received, what was read from it, and its case state.
// bbolt holds Records (the source of truth); the search index is derived from them.
type Record struct {
	ID       string    `json:"id"`  // stable, human-quotable id, e.g. "M000123"
	Seq      uint64    `json:"seq"` // store sequence, increasing in order of arrival
	Received time.Time `json:"received"`
	Hash     string    `json:"hash"` // normalised content hash used for de-duplication
	Item
	Analysis    Analysis     `json:"analysis"`
	Suggestions []Suggestion `json:"suggestions,omitempty"`
	Department  string       `json:"assigned_department,omitempty"` // department the case is dispatched to
	Status      string       `json:"status"`
	Due         time.Time    `json:"due,omitempty"`
	CaseID      string       `json:"case_id,omitempty"` // the case this message belongs to (duplicates share one)
	Events      []Event      `json:"events,omitempty"`
}

// SuggestedDepartment is the first suggestion's department, or "" when there is none.
func (r *Record) SuggestedDepartment() string {
	if len(r.Suggestions) == 0 {
		return ""
	}
	return r.Suggestions[0].Department
}
