package store

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"minyi/domain"
)

// appendRecordJSON appends r encoded byte for byte as json.Marshal(r) encodes it — same field
// order, omitempty, escaping (HTML characters, U+2028/U+2029, invalid UTF-8 as \ufffd), number
// and time formats — without reflection. It fails where json.Marshal fails: on a NaN or
// infinite float and on a time that RFC 3339 cannot express. TestRecordJSONMatchesMarshal
// compares the two over every field of domain.Record, so a field added there and not here
// fails the tests, not the data.
func appendRecordJSON(dst []byte, r *domain.Record) ([]byte, error) {
	var err error
	dst = append(dst, `{"id":`...)
	dst = appendJSONString(dst, r.ID)
	dst = append(dst, `,"seq":`...)
	dst = strconv.AppendUint(dst, r.Seq, 10)
	dst = append(dst, `,"received":`...)
	if dst, err = appendJSONTime(dst, r.Received); err != nil {
		return nil, err
	}
	dst = append(dst, `,"hash":`...)
	dst = appendJSONString(dst, r.Hash)
	if dst, err = appendItemJSON(dst, &r.Item); err != nil {
		return nil, err
	}
	dst = append(dst, `,"analysis":`...)
	if dst, err = appendAnalysisJSON(dst, &r.Analysis); err != nil {
		return nil, err
	}
	if len(r.Suggestions) > 0 {
		dst = append(dst, `,"suggestions":[`...)
		for i := range r.Suggestions {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = appendSuggestionJSON(dst, &r.Suggestions[i]); err != nil {
				return nil, err
			}
		}
		dst = append(dst, ']')
	}
	if r.Department != "" {
		dst = append(dst, `,"assigned_department":`...)
		dst = appendJSONString(dst, r.Department)
	}
	dst = append(dst, `,"status":`...)
	dst = appendJSONString(dst, r.Status)
	// omitempty never omits a struct, so a zero Due is written as 0001-01-01T00:00:00Z.
	dst = append(dst, `,"due":`...)
	if dst, err = appendJSONTime(dst, r.Due); err != nil {
		return nil, err
	}
	if r.CaseID != "" {
		dst = append(dst, `,"case_id":`...)
		dst = appendJSONString(dst, r.CaseID)
	}
	if len(r.Events) > 0 {
		dst = append(dst, `,"events":[`...)
		for i := range r.Events {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = appendEventJSON(dst, &r.Events[i]); err != nil {
				return nil, err
			}
		}
		dst = append(dst, ']')
	}
	return append(dst, '}'), nil
}

// appendItemJSON appends the fields of the Item embedded in a Record (json promotes them into
// the record's object, after hash), each preceded by a comma.
func appendItemJSON(dst []byte, it *domain.Item) ([]byte, error) {
	var err error
	dst = append(dst, `,"source":`...)
	dst = appendJSONString(dst, it.Source)
	if it.SourceID != "" {
		dst = append(dst, `,"source_id":`...)
		dst = appendJSONString(dst, it.SourceID)
	}
	dst = append(dst, `,"channel":`...)
	dst = appendJSONString(dst, it.Channel)
	dst = append(dst, `,"title":`...)
	dst = appendJSONString(dst, it.Title)
	dst = append(dst, `,"body":`...)
	dst = appendJSONString(dst, it.Body)
	dst = append(dst, `,"time":`...)
	if dst, err = appendJSONTime(dst, it.Time); err != nil {
		return nil, err
	}
	if it.Author != "" {
		dst = append(dst, `,"author":`...)
		dst = appendJSONString(dst, it.Author)
	}
	if it.URL != "" {
		dst = append(dst, `,"url":`...)
		dst = appendJSONString(dst, it.URL)
	}
	if it.Label != "" {
		dst = append(dst, `,"label":`...)
		dst = appendJSONString(dst, it.Label)
	}
	if it.Department != "" {
		dst = append(dst, `,"department":`...)
		dst = appendJSONString(dst, it.Department)
	}
	if it.Likes != 0 {
		dst = append(dst, `,"likes":`...)
		dst = strconv.AppendInt(dst, int64(it.Likes), 10)
	}
	if it.Dislikes != 0 {
		dst = append(dst, `,"dislikes":`...)
		dst = strconv.AppendInt(dst, int64(it.Dislikes), 10)
	}
	if it.Raw != "" {
		dst = append(dst, `,"raw":`...)
		dst = appendJSONString(dst, it.Raw)
	}
	if len(it.Extra) > 0 {
		// json sorts map keys by their bytes.
		keys := make([]string, 0, len(it.Extra))
		for k := range it.Extra {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, `,"extra":{`...)
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, k)
			dst = append(dst, ':')
			dst = appendJSONString(dst, it.Extra[k])
		}
		dst = append(dst, '}')
	}
	return dst, nil
}

// appendAnalysisJSON appends a's object.
func appendAnalysisJSON(dst []byte, a *domain.Analysis) ([]byte, error) {
	var err error
	dst = append(dst, '{')
	if len(a.Words) > 0 {
		dst = append(dst, `"words":`...)
		dst = appendJSONStrings(dst, a.Words)
		dst = append(dst, ',')
	}
	dst = append(dst, `"category":`...)
	dst = appendJSONString(dst, a.Category)
	if a.CategoryProb != 0 {
		dst = append(dst, `,"category_prob":`...)
		if dst, err = appendJSONFloat(dst, a.CategoryProb); err != nil {
			return nil, err
		}
	}
	if a.Matter != "" {
		dst = append(dst, `,"matter":`...)
		dst = appendJSONString(dst, a.Matter)
	}
	dst = append(dst, `,"sentiment":`...)
	dst = appendJSONString(dst, a.Sentiment)
	if a.SentimentProb != 0 {
		dst = append(dst, `,"sentiment_prob":`...)
		if dst, err = appendJSONFloat(dst, a.SentimentProb); err != nil {
			return nil, err
		}
	}
	if a.Emotion != "" {
		dst = append(dst, `,"emotion":`...)
		dst = appendJSONString(dst, a.Emotion)
	}
	if len(a.Places) > 0 {
		dst = append(dst, `,"places":[`...)
		for i := range a.Places {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendPlaceJSON(dst, &a.Places[i])
		}
		dst = append(dst, ']')
	}
	if a.District != "" {
		dst = append(dst, `,"district":`...)
		dst = appendJSONString(dst, a.District)
	}
	if a.Street != "" {
		dst = append(dst, `,"street":`...)
		dst = appendJSONString(dst, a.Street)
	}
	if len(a.Keywords) > 0 {
		dst = append(dst, `,"keywords":`...)
		dst = appendJSONStrings(dst, a.Keywords)
	}
	if len(a.UrgencyCues) > 0 {
		dst = append(dst, `,"urgency_cues":`...)
		dst = appendJSONStrings(dst, a.UrgencyCues)
	}
	dst = append(dst, `,"priority":`...)
	dst = strconv.AppendInt(dst, int64(a.Priority), 10)
	return append(dst, '}'), nil
}

// appendPlaceJSON appends p's object.
func appendPlaceJSON(dst []byte, p *domain.Place) []byte {
	dst = append(dst, `{"name":`...)
	dst = appendJSONString(dst, p.Name)
	dst = append(dst, `,"full":`...)
	dst = appendJSONString(dst, p.Full)
	dst = append(dst, `,"level":`...)
	dst = appendJSONString(dst, p.Level)
	if len(p.Path) > 0 {
		dst = append(dst, `,"path":`...)
		dst = appendJSONStrings(dst, p.Path)
	}
	if p.Start != 0 {
		dst = append(dst, `,"start":`...)
		dst = strconv.AppendInt(dst, int64(p.Start), 10)
	}
	if p.End != 0 {
		dst = append(dst, `,"end":`...)
		dst = strconv.AppendInt(dst, int64(p.End), 10)
	}
	return append(dst, '}')
}

// appendSuggestionJSON appends s's object.
func appendSuggestionJSON(dst []byte, s *domain.Suggestion) ([]byte, error) {
	var err error
	dst = append(dst, `{"department":`...)
	dst = appendJSONString(dst, s.Department)
	dst = append(dst, `,"confidence":`...)
	if dst, err = appendJSONFloat(dst, s.Confidence); err != nil {
		return nil, err
	}
	if len(s.Reasons) > 0 {
		dst = append(dst, `,"reasons":`...)
		dst = appendJSONStrings(dst, s.Reasons)
	}
	if s.Flagged {
		dst = append(dst, `,"flagged":true`...)
	}
	return append(dst, '}'), nil
}

// appendEventJSON appends e's object.
func appendEventJSON(dst []byte, e *domain.Event) ([]byte, error) {
	var err error
	dst = append(dst, `{"time":`...)
	if dst, err = appendJSONTime(dst, e.Time); err != nil {
		return nil, err
	}
	dst = append(dst, `,"actor":`...)
	dst = appendJSONString(dst, e.Actor)
	dst = append(dst, `,"action":`...)
	dst = appendJSONString(dst, e.Action)
	if e.From != "" {
		dst = append(dst, `,"from":`...)
		dst = appendJSONString(dst, e.From)
	}
	if e.To != "" {
		dst = append(dst, `,"to":`...)
		dst = appendJSONString(dst, e.To)
	}
	if e.Reason != "" {
		dst = append(dst, `,"reason":`...)
		dst = appendJSONString(dst, e.Reason)
	}
	return append(dst, '}'), nil
}

// appendJSONStrings appends a non-empty slice of strings as a JSON array.
func appendJSONStrings(dst []byte, ss []string) []byte {
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, s)
	}
	return append(dst, ']')
}

// jsonSafeASCII holds, for each ASCII byte, whether json.Marshal copies it into a string
// unescaped: the printable characters (and DEL) except ", \, <, > and &.
var jsonSafeASCII = func() (safe [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		switch b {
		case '"', '\\', '<', '>', '&':
		default:
			safe[b] = true
		}
	}
	return safe
}()

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as encoding/json quotes a string with HTML escaping on.
// Runs that need no escaping — safe ASCII and valid multi-byte UTF-8 other than U+2028 and
// U+2029 — are copied in one append; the three-byte sequences of CJK text are accepted
// without decoding.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if jsonSafeASCII[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		// Lead bytes E3–EC take any two continuation bytes (U+3000–U+CFFF: CJK, kana,
		// hangul); E2 is left to the decoder for U+2028 and U+2029, E0 and ED for their
		// narrower second-byte ranges.
		if b >= 0xE3 && b <= 0xEC && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
			i += 3
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendJSONFloat appends f as encoding/json writes a float64: like ES6's number to string,
// 'f' format unless the magnitude is below 1e-6 or at least 1e21, and then 'e' with the
// exponent unpadded. NaN and infinities have no JSON form and are an error.
func appendJSONFloat(dst []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, errors.New("json: unsupported value: " + strconv.FormatFloat(f, 'g', -1, 64))
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// e-09 → e-9
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, nil
}

// appendJSONTime appends t quoted as time.Time.MarshalJSON writes it (RFC 3339 with
// nanoseconds) and fails where it fails: a year outside 0–9999 or a zone offset of 24 hours
// or more.
func appendJSONTime(dst []byte, t time.Time) ([]byte, error) {
	dst = append(dst, '"')
	n0 := len(dst)
	dst = t.AppendFormat(dst, time.RFC3339Nano)
	// The checks of time.Time.appendStrictRFC3339.
	num2 := func(b []byte) byte { return 10*(b[0]-'0') + (b[1] - '0') }
	switch {
	case dst[n0+len("9999")] != '-':
		return nil, errors.New("json: error calling MarshalJSON for type time.Time: year outside of range [0,9999]")
	case dst[len(dst)-1] != 'Z':
		c := dst[len(dst)-len("Z07:00")]
		if ('0' <= c && c <= '9') || num2(dst[len(dst)-len("07:00"):]) >= 24 {
			return nil, errors.New("json: error calling MarshalJSON for type time.Time: timezone hour outside of range [0,23]")
		}
	}
	return append(dst, '"'), nil
}
