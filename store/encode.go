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
	if dst, err = appendOmitArray(dst, `,"suggestions":`, r.Suggestions, appendSuggestionJSON); err != nil {
		return nil, err
	}
	dst = appendOmitString(dst, `,"assigned_department":`, r.Department)
	dst = append(dst, `,"status":`...)
	dst = appendJSONString(dst, r.Status)
	// omitempty never omits a struct, so a zero Due is written as 0001-01-01T00:00:00Z.
	dst = append(dst, `,"due":`...)
	if dst, err = appendJSONTime(dst, r.Due); err != nil {
		return nil, err
	}
	dst = appendOmitString(dst, `,"case_id":`, r.CaseID)
	if dst, err = appendOmitArray(dst, `,"events":`, r.Events, appendEventJSON); err != nil {
		return nil, err
	}
	return append(dst, '}'), nil
}

// appendItemJSON appends the fields of the Item embedded in a Record (json promotes them into
// the record's object, after hash), each preceded by a comma.
func appendItemJSON(dst []byte, it *domain.Item) ([]byte, error) {
	var err error
	dst = append(dst, `,"source":`...)
	dst = appendJSONString(dst, it.Source)
	dst = appendOmitString(dst, `,"source_id":`, it.SourceID)
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
	dst = appendOmitString(dst, `,"author":`, it.Author)
	dst = appendOmitString(dst, `,"url":`, it.URL)
	dst = appendOmitString(dst, `,"label":`, it.Label)
	dst = appendOmitString(dst, `,"department":`, it.Department)
	dst = appendOmitInt(dst, `,"likes":`, it.Likes)
	dst = appendOmitInt(dst, `,"dislikes":`, it.Dislikes)
	dst = appendOmitString(dst, `,"raw":`, it.Raw)
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
	if dst, err = appendOmitFloat(dst, `,"category_prob":`, a.CategoryProb); err != nil {
		return nil, err
	}
	dst = appendOmitString(dst, `,"matter":`, a.Matter)
	dst = append(dst, `,"sentiment":`...)
	dst = appendJSONString(dst, a.Sentiment)
	if dst, err = appendOmitFloat(dst, `,"sentiment_prob":`, a.SentimentProb); err != nil {
		return nil, err
	}
	dst = appendOmitString(dst, `,"emotion":`, a.Emotion)
	if dst, err = appendOmitArray(dst, `,"places":`, a.Places, appendPlaceJSON); err != nil {
		return nil, err
	}
	dst = appendOmitString(dst, `,"district":`, a.District)
	dst = appendOmitString(dst, `,"street":`, a.Street)
	dst = appendOmitStrings(dst, `,"keywords":`, a.Keywords)
	dst = appendOmitStrings(dst, `,"urgency_cues":`, a.UrgencyCues)
	dst = append(dst, `,"priority":`...)
	dst = strconv.AppendInt(dst, int64(a.Priority), 10)
	return append(dst, '}'), nil
}

// appendPlaceJSON appends p's object (it cannot fail; the error is appendOmitArray's shape).
func appendPlaceJSON(dst []byte, p *domain.Place) ([]byte, error) {
	dst = append(dst, `{"name":`...)
	dst = appendJSONString(dst, p.Name)
	dst = append(dst, `,"full":`...)
	dst = appendJSONString(dst, p.Full)
	dst = append(dst, `,"level":`...)
	dst = appendJSONString(dst, p.Level)
	dst = appendOmitStrings(dst, `,"path":`, p.Path)
	dst = appendOmitInt(dst, `,"start":`, p.Start)
	dst = appendOmitInt(dst, `,"end":`, p.End)
	return append(dst, '}'), nil
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
	dst = appendOmitStrings(dst, `,"reasons":`, s.Reasons)
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
	dst = appendOmitString(dst, `,"from":`, e.From)
	dst = appendOmitString(dst, `,"to":`, e.To)
	dst = appendOmitString(dst, `,"reason":`, e.Reason)
	return append(dst, '}'), nil
}

// appendOmitString appends key (`,"name":`) and s, unless s is empty: an omitempty string.
func appendOmitString(dst []byte, key, s string) []byte {
	if s == "" {
		return dst
	}
	return appendJSONString(append(dst, key...), s)
}

// appendOmitInt appends key and n, unless n is 0: an omitempty int.
func appendOmitInt(dst []byte, key string, n int) []byte {
	if n == 0 {
		return dst
	}
	return strconv.AppendInt(append(dst, key...), int64(n), 10)
}

// appendOmitFloat appends key and f, unless f is 0: an omitempty float64.
func appendOmitFloat(dst []byte, key string, f float64) ([]byte, error) {
	if f == 0 {
		return dst, nil
	}
	return appendJSONFloat(append(dst, key...), f)
}

// appendOmitStrings appends key and ss, unless ss is empty: an omitempty []string.
func appendOmitStrings(dst []byte, key string, ss []string) []byte {
	if len(ss) == 0 {
		return dst
	}
	return appendJSONStrings(append(dst, key...), ss)
}

// appendOmitArray appends key and the objects of xs as elem writes them, unless xs is empty:
// an omitempty slice of structs.
func appendOmitArray[T any](dst []byte, key string, xs []T, elem func([]byte, *T) ([]byte, error)) ([]byte, error) {
	if len(xs) == 0 {
		return dst, nil
	}
	dst = append(append(dst, key...), '[')
	for i := range xs {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = elem(dst, &xs[i]); err != nil {
			return nil, err
		}
	}
	return append(dst, ']'), nil
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
