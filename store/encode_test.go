package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"minyi/domain"

	"minyi/internal/cputime"
)

// recordFiller fills a domain.Record by reflection: every string, number, bool, time, map and
// slice it reaches, wherever want says so, with values chosen to exercise json's corner cases.
// It fails the test on a field of a kind it does not know, so a new kind of field in domain
// must be taught to it (and to appendRecordJSON) before the tests pass.
type recordFiller struct {
	tb   testing.TB
	rng  *rand.Rand
	want func(path string) bool // fill the leaf or slice at path
}

var timeType = reflect.TypeFor[time.Time]()

func (f *recordFiller) fill(v reflect.Value, path string) {
	switch {
	case v.Type() == timeType:
		if f.want(path) {
			v.Set(reflect.ValueOf(f.time()))
		}
		return
	case v.Kind() == reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			sf := v.Type().Field(i)
			if !sf.IsExported() {
				f.tb.Fatalf("field %s.%s is unexported: teach the filler and appendRecordJSON", path, sf.Name)
			}
			f.fill(v.Field(i), path+"."+sf.Name)
		}
		return
	}
	if !f.want(path) {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(f.string())
	case reflect.Int, reflect.Int64:
		v.SetInt(f.int())
	case reflect.Uint64:
		v.SetUint(f.uint())
	case reflect.Float64:
		v.SetFloat(f.float())
	case reflect.Bool:
		v.SetBool(f.rng.IntN(2) == 0)
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String || v.Type().Elem().Kind() != reflect.String {
			f.tb.Fatalf("field %s is a %s: teach the filler and appendRecordJSON", path, v.Type())
		}
		switch f.rng.IntN(4) {
		case 0: // nil
		case 1:
			v.Set(reflect.MakeMap(v.Type()))
		default:
			m := reflect.MakeMap(v.Type())
			for range 1 + f.rng.IntN(5) {
				m.SetMapIndex(reflect.ValueOf(f.string()), reflect.ValueOf(f.string()))
			}
			v.Set(m)
		}
	case reflect.Slice:
		n := 1 + f.rng.IntN(3)
		switch f.rng.IntN(6) {
		case 0: // nil
			return
		case 1:
			n = 0 // empty, not nil
		case 2:
			n = 100 // as many as a message's words
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			f.fill(s.Index(i), path+"[]")
		}
		v.Set(s)
	default:
		f.tb.Fatalf("field %s is a %s: teach the filler and appendRecordJSON", path, v.Type())
	}
}

// string returns empty, plain, Chinese, escaped, HTML, separator, emoji and invalid UTF-8
// strings, alone or mixed.
func (f *recordFiller) string() string {
	pieces := []string{
		"", "a", "M000123", "渣土车", "惠州市12345热线", "噪音很大，多次反映无果。", `"`, `\`, `\"`, "\n", "\r\n", "\t",
		"\b", "\f", "\x00", "\x01", "\x1f", "\x7f", "<", ">", "&", "<script>&amp;</script>", "\u2028", "\u2029",
		"\u2027", "\u202a", "😀", "👨‍👩‍👧", "\ufffd", "\xff", "\xc3", "\xe4\xb8", "\xe0\x80\x80", "\xe0\xa0\x80",
		"\xed\xa0\x80", "\xed\x9f\xbf", "\xef\xbf\xbf", "\xf4\x90\x80\x80", "\xc0\xaf", "\u3000", "\ua000", "\ud7ff",
		"é", "Ω", "ｱ", "한국", " ", "/", "'", "`", "%", "+",
	}
	var b strings.Builder
	for range f.rng.IntN(5) {
		if f.rng.IntN(8) == 0 { // random bytes
			for range 1 + f.rng.IntN(6) {
				b.WriteByte(byte(f.rng.IntN(256)))
			}
			continue
		}
		b.WriteString(pieces[f.rng.IntN(len(pieces))])
	}
	return b.String()
}

func (f *recordFiller) int() int64 {
	switch f.rng.IntN(6) {
	case 0:
		return 0
	case 1:
		return math.MaxInt64
	case 2:
		return math.MinInt64
	case 3:
		return -f.rng.Int64N(1000)
	}
	return f.rng.Int64N(100000)
}

func (f *recordFiller) uint() uint64 {
	switch f.rng.IntN(4) {
	case 0:
		return 0
	case 1:
		return math.MaxUint64
	}
	return f.rng.Uint64() >> f.rng.IntN(64)
}

// float returns zeros of both signs, the edges of json's 'f'/'e' switch, extremes and random
// finite values of every magnitude.
func (f *recordFiller) float() float64 {
	edges := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 0.9482474721773861, 0.2, 1e-6, 9.99999e-7, 1e-7, 1e20,
		1e21, 9.99999999999999e20, -1e21, 1e-9, 1e-10, 123456789, 5e-324, math.SmallestNonzeroFloat64,
		math.MaxFloat64, -math.MaxFloat64, 1.5e300, 3e-300}
	switch f.rng.IntN(3) {
	case 0:
		return edges[f.rng.IntN(len(edges))]
	case 1:
		return f.rng.Float64()
	}
	for {
		x := math.Float64frombits(f.rng.Uint64())
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			return x
		}
	}
}

// time returns times in years 0–9999 in UTC, Local and fixed zones (with and without
// nanoseconds, offsets with seconds), and rarely one json cannot write.
func (f *recordFiller) time() time.Time {
	if f.rng.IntN(6) == 0 {
		return time.Time{}
	}
	lo, hi := time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC).Unix()
	sec := lo + f.rng.Int64N(hi-lo)
	if f.rng.IntN(2) == 0 {
		sec = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix() + f.rng.Int64N(1e8)
	}
	var nsec int64
	switch f.rng.IntN(3) {
	case 1:
		nsec = f.rng.Int64N(1e9)
	case 2:
		nsec = f.rng.Int64N(1000) * 1e6
	}
	t := time.Unix(sec, nsec)
	switch f.rng.IntN(5) {
	case 0:
		t = t.UTC()
	case 1:
		t = t.In(time.FixedZone("CST", 8*3600))
	case 2:
		t = t.In(time.FixedZone("", -(f.rng.IntN(24*3600) - 12*3600)))
	case 3:
		t = t.Local()
	}
	if f.rng.IntN(200) == 0 { // json.Marshal fails on these
		switch f.rng.IntN(3) {
		case 0:
			t = time.Date(10000+f.rng.IntN(100), 1, 1, 0, 0, 0, 0, time.UTC)
		case 1:
			t = time.Date(-1-f.rng.IntN(100), 1, 1, 0, 0, 0, 0, time.UTC)
		case 2:
			t = t.In(time.FixedZone("", 24*3600+f.rng.IntN(3600)))
		}
	}
	return t
}

// compareWithMarshal fails unless appendRecordJSON(r) equals json.Marshal(r) byte for byte, or
// both fail; it appends to a non-empty dst to check that the prefix is kept.
func compareWithMarshal(tb testing.TB, r *domain.Record, what string) (failed bool) {
	tb.Helper()
	want, wantErr := json.Marshal(r)
	prefix := []byte("prefix")
	got, gotErr := appendRecordJSON(append([]byte(nil), prefix...), r)
	if (wantErr != nil) != (gotErr != nil) {
		tb.Errorf("%s: json.Marshal error %v, appendRecordJSON error %v", what, wantErr, gotErr)
		return true
	}
	if wantErr != nil {
		return false
	}
	if !bytes.HasPrefix(got, prefix) {
		tb.Errorf("%s: appendRecordJSON overwrote dst", what)
		return true
	}
	got = got[len(prefix):]
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		from := max(0, i-80)
		tb.Errorf("%s: differs from json.Marshal at byte %d\n got: …%q…\nwant: …%q…", what, i,
			got[from:min(len(got), i+80)], want[from:min(len(want), i+80)])
		return true
	}
	return false
}

// TestRecordJSONEachField fills one field of domain.Record at a time (every leaf the filler
// reaches by reflection, through slices of structs), so a field the encoder misses or writes
// differently is named.
func TestRecordJSONEachField(t *testing.T) {
	var paths []string
	collect := &recordFiller{tb: t, rng: rand.New(rand.NewPCG(1, 1)), want: func(p string) bool {
		paths = append(paths, p)
		return false
	}}
	collect.fill(reflect.ValueOf(&domain.Record{}).Elem(), "Record")
	// Slices are not entered when not wanted; enter them once to reach their elements' fields.
	seen := map[string]bool{}
	for i := 0; i < len(paths); i++ {
		p := paths[i]
		if seen[p] {
			continue
		}
		seen[p] = true
		var sub []string
		probe := &recordFiller{tb: t, rng: rand.New(rand.NewPCG(2, 2)), want: func(q string) bool {
			if q == p {
				return true
			}
			if strings.HasPrefix(q, p+"[]") {
				sub = append(sub, q)
			}
			return false
		}}
		for range 20 { // until the slice at p is made non-empty
			probe.fill(reflect.ValueOf(&domain.Record{}).Elem(), "Record")
		}
		paths = append(paths, sub...)
	}
	if len(seen) < 40 {
		t.Fatalf("filler reached only %d fields of domain.Record: %v", len(seen), paths)
	}
	for p := range seen {
		for seed := range uint64(50) {
			f := &recordFiller{tb: t, rng: rand.New(rand.NewPCG(seed, 3)), want: func(q string) bool {
				return q == p || strings.HasPrefix(p, q+"[]")
			}}
			var r domain.Record
			f.fill(reflect.ValueOf(&r).Elem(), "Record")
			if compareWithMarshal(t, &r, fmt.Sprintf("field %s (seed %d)", p, seed)) {
				break
			}
		}
	}
}

// TestRecordJSONMatchesMarshal fills whole records at random — each field set or left zero,
// slices nil, empty or long — and compares thousands of them with json.Marshal.
func TestRecordJSONMatchesMarshal(t *testing.T) {
	n := 5000
	if testing.Short() {
		n = 500
	}
	failures, errs := 0, 0
	for i := range n {
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		density := rng.IntN(4) // 0: every field set, else one in density+1 left zero
		f := &recordFiller{tb: t, rng: rng, want: func(string) bool { return density == 0 || rng.IntN(density+1) != 0 }}
		var r domain.Record
		f.fill(reflect.ValueOf(&r).Elem(), "Record")
		if _, err := json.Marshal(&r); err != nil {
			errs++
		}
		if compareWithMarshal(t, &r, fmt.Sprintf("record %d", i)) {
			if failures++; failures >= 5 {
				t.Fatal("too many differences")
			}
		}
	}
	if errs == 0 || errs > n/4 {
		t.Errorf("%d of %d records could not be marshalled: want some error cases, not mostly", errs, n)
	}
}

// TestRecordJSONUnsupported checks that the values json.Marshal refuses are refused.
func TestRecordJSONUnsupported(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  func(*domain.Record)
	}{
		{"NaN category prob", func(r *domain.Record) { r.Analysis.CategoryProb = math.NaN() }},
		{"+Inf sentiment prob", func(r *domain.Record) { r.Analysis.SentimentProb = math.Inf(1) }},
		{"-Inf confidence", func(r *domain.Record) { r.Suggestions = []domain.Suggestion{{Confidence: math.Inf(-1)}} }},
		{"year 10000", func(r *domain.Record) { r.Received = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"year -1 event", func(r *domain.Record) {
			r.Events = []domain.Event{{Time: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}}
		}},
		{"offset 24h", func(r *domain.Record) { r.Due = time.Now().In(time.FixedZone("", 24*3600)) }},
	} {
		var r domain.Record
		tt.set(&r)
		if _, err := json.Marshal(&r); err == nil {
			t.Fatalf("%s: json.Marshal accepts it", tt.name)
		}
		if _, err := appendRecordJSON(nil, &r); err == nil {
			t.Errorf("%s: appendRecordJSON accepts it", tt.name)
		}
	}
}

// FuzzAppendRecordJSON puts fuzzed strings into every kind of place a string takes in a record.
func FuzzAppendRecordJSON(f *testing.F) {
	for _, s := range []string{"", "渣土车", `"\<>&`, "\u2028\u2029", "\xff\xe4\xb8", "😀\x00\x1f\x7f", "\xed\xa0\x80\xe0\x80\x80"} {
		f.Add(s, "惠城区")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		r := &domain.Record{
			ID: a, Hash: b, Status: a + b,
			Item: domain.Item{Source: a, SourceID: b, Title: a, Body: b + a, Raw: a, Extra: map[string]string{a: b, b: a, "k": a}},
			Analysis: domain.Analysis{Words: []string{a, b, "", a + b}, Category: b, Places: []domain.Place{{Name: a, Path: []string{b}}},
				Keywords: []string{b}, UrgencyCues: []string{a}},
			Suggestions: []domain.Suggestion{{Department: a, Reasons: []string{b, a}}},
			Events:      []domain.Event{{Actor: a, Action: b, Reason: a}},
		}
		compareWithMarshal(t, r, fmt.Sprintf("strings %q, %q", a, b))
	})
}

// realisticRecord is shaped like a stored record of the 1M ingest bench: an analysed 12345
// message with 100 words, two places, keywords and two suggestions.
func realisticRecord(tb testing.TB, i int) *domain.Record {
	const stored = `{"id":"M173806","seq":173806,"received":"2026-12-07T08:36:34.867995577Z","hash":"a98b153280c5003370ca58fec0aa7425","source":"惠州市12345热线","source_id":"bench-1-173806","channel":"12345","title":"关于星河丹堤路灯不亮的投诉","body":"我住在仲恺高新区星河丹堤附近，从12月开始，这条路的路灯坏了一个多月，晚上漆黑一片。周边商户也意见很大。之前有人投诉过，但一直没人来拆。社区说不归他们管。请领导重视，给居民一个说法。","time":"2025-09-29T08:06:18+08:00","author":"A309444938","analysis":{"words":["星河","丹","堤","路","灯不亮","投诉","住","仲恺高新区","星河","丹","堤","附近","12月","开始","这条","路","路灯","坏","一个多月","晚上","漆黑一片","周边","商户","意见","很大","之前","有人","投诉","没人","来","拆","社区","说","归","管","重视","居民","说法"],"category":"城乡建设","category_prob":0.9482474721773861,"matter":"路灯","sentiment":"负面","sentiment_prob":0.9039470918300191,"emotion":"愤怒","places":[{"name":"丹堤路","full":"丹堤路","level":"道路","path":["广东省","惠州市","仲恺高新技术产业开发区","丹堤路"],"start":12,"end":21},{"name":"仲恺高新区","full":"仲恺高新技术产业开发区","level":"区县","path":["广东省","惠州市","仲恺高新技术产业开发区"],"start":49,"end":64}],"district":"仲恺高新技术产业开发区","keywords":["星河","投诉","灯不亮","仲恺高新区","漆黑一片","路灯","商户","一个多月"],"priority":0},"suggestions":[{"department":"惠州市住房和城乡建设局","confidence":0.2,"reasons":["命中规则「城乡建设类」"]},{"department":"惠州市仲恺高新技术产业开发区管理委员会","confidence":0.12,"reasons":["命中规则「城乡建设类」","地点：仲恺高新技术产业开发区"]}],"status":"待受理","due":"2026-12-08T23:59:59+08:00","case_id":"M173806"}`
	var r domain.Record
	if err := json.Unmarshal([]byte(stored), &r); err != nil {
		tb.Fatal(err)
	}
	words := r.Analysis.Words
	for len(r.Analysis.Words) < 100 {
		r.Analysis.Words = append(r.Analysis.Words, words[len(r.Analysis.Words)%len(words)])
	}
	r.Seq = uint64(i + 1)
	r.ID, r.CaseID = FormatID(r.Seq), FormatID(r.Seq)
	r.SourceID = fmt.Sprint("bench-1-", i)
	r.Time = r.Time.Add(time.Duration(i) * time.Minute)
	return &r
}

func TestRealisticRecordJSON(t *testing.T) {
	for i := range 3 {
		compareWithMarshal(t, realisticRecord(t, i), "realistic record")
		compareWithMarshal(t, benchRecord(i), "bench record")
	}
}

// TestAddStoresEncodedRecords adds a batch whose encodings span several arena chunks, with
// records large enough to outgrow a chunk, and checks each stored value is json.Marshal's.
func TestAddStoresEncodedRecords(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	recs := make([]*domain.Record, 400)
	for i := range recs {
		recs[i] = realisticRecord(t, i)
		recs[i].Hash = fmt.Sprintf("h%d", i)
		if i%50 == 7 {
			recs[i].Body = strings.Repeat(recs[i].Body, 200) // ~60 KB
		}
	}
	if _, err := s.Add(ctx, recs); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if g, _ := json.Marshal(got); !bytes.Equal(g, want) {
			t.Fatalf("%s stored as %.200s…, want %.200s…", r.ID, g, want)
		}
	}
}

// BenchmarkEncodeRecord encodes a realistic record (100 words) with json.Marshal and with
// appendRecordJSON into a reused buffer.
func BenchmarkEncodeRecord(b *testing.B) {
	recs := make([]*domain.Record, 256)
	for i := range recs {
		recs[i] = realisticRecord(b, i)
	}
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := cputime.Used()
		for i := 0; b.Loop(); i++ {
			if _, err := json.Marshal(recs[i%len(recs)]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((cputime.Used()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	})
	b.Run("appendRecordJSON", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		cpu0 := cputime.Used()
		for i := 0; b.Loop(); i++ {
			var err error
			if buf, err = appendRecordJSON(buf[:0], recs[i%len(recs)]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((cputime.Used()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	})
}
