package feed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"minyi/internal/shareddata"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"minyi/domain"
)

// readAll reads an import file and returns its items with their line numbers.
func readAll(tb testing.TB, path string, opt ReadOptions) ([]domain.Item, []int, FileStats, error) {
	tb.Helper()
	var items []domain.Item
	var lines []int
	st, err := ReadFile(context.Background(), path, opt, func(line int, it domain.Item) error {
		items = append(items, it)
		lines = append(lines, line)
		return nil
	})
	return items, lines, st, err
}

func cst(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, chinaTime)
}

func TestReadFileGBKCSV(t *testing.T) {
	items, lines, st, err := readAll(t, "testdata/import/gbk.csv", ReadOptions{Channel: "领导留言板"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Encoding != "GB18030" {
		t.Errorf("encoding = %q, want GB18030", st.Encoding)
	}
	if st.Read != 3 || st.Rejected != 1 {
		t.Fatalf("read %d rejected %d, want 3 and 1; errors %v", st.Read, st.Rejected, st.Errors)
	}
	if st.Errors[0].Line != 5 || st.Errors[0].Error != "缺少标题和正文" {
		t.Errorf("rejection = %+v, want line 5 缺少标题和正文", st.Errors[0])
	}
	if want := []int{2, 4, 6}; fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Errorf("lines = %v, want %v (a quoted field spans line 2-3)", lines, want)
	}
	first := items[0]
	checks := []struct{ name, got, want string }{
		{"SourceID", first.SourceID, "188006"},
		{"Author", first.Author, "A000102948"},
		{"Title", first.Title, "A3区一米阳光婚纱艺术摄影是否合法纳税了？"},
		{"Body", first.Body, "座落在A市A3区联丰路米兰春天G2栋320，一家名叫一米阳光婚纱艺术摄影的影楼，\n请税务局和工商局查一下，看看有没有正常纳税！"},
		{"Label", first.Label, "商贸旅游"},
		{"Channel", first.Channel, domain.ChannelBoard},
		{"Source", first.Source, "gbk.csv"},
		{"Extra", first.Extra["附件"], "无"},
		{"Body with quotes", items[1].Body, "A市A6区道路命名规划已经初步成果公示文件，什么时候能转化为正式的门牌号？\"急\""},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %q, want %q", c.got, c.want)
			}
		})
	}
	if !first.Time.Equal(cst(2019, 2, 28, 11, 25, 5)) {
		t.Errorf("time = %v", first.Time)
	}
	if !items[1].Time.Equal(cst(2019, 2, 14, 0, 0, 0)) {
		t.Errorf("time 年月日 = %v", items[1].Time)
	}
	if !items[2].Time.IsZero() || items[2].Extra[TimeUnparsedKey] != "昨天下午" {
		t.Errorf("unparsable time: Time=%v Extra=%v", items[2].Time, items[2].Extra)
	}
	if len(st.Warnings) != 1 || st.Warnings[0].Line != 6 {
		t.Errorf("warnings = %+v, want one on line 6", st.Warnings)
	}
}

func TestReadFileBOMCSV(t *testing.T) {
	items, _, st, err := readAll(t, "testdata/import/bom.csv", ReadOptions{Source: "上海信访"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Encoding != "UTF-8" || st.Read != 2 {
		t.Fatalf("stats %+v", st)
	}
	if items[0].SourceID != "05A34C6B" {
		t.Errorf("BOM leaked into first header: SourceID=%q extra=%v", items[0].SourceID, items[0].Extra)
	}
	if items[0].Channel != domain.ChannelMailbox || items[1].Channel != domain.ChannelHotline {
		t.Errorf("channels %q %q", items[0].Channel, items[1].Channel)
	}
	if items[0].Likes != 3 || items[0].Department != "上海市青浦区建设和管理委员会" || items[0].Source != "上海信访" {
		t.Errorf("item 0 = %+v", items[0])
	}
	if got := items[1].Body; got != "夜间施工噪音很大 严重影响休息" {
		t.Errorf("HTML body = %q", got)
	}
	if !strings.Contains(items[1].Raw, "<script>") {
		t.Errorf("Raw should keep the original markup, got %q", items[1].Raw)
	}
	if items[1].Extra["likes"] != "x" || items[1].Likes != 0 {
		t.Errorf("bad likes kept? %v", items[1].Extra)
	}
	if !items[1].Time.Equal(cst(2023, 7, 15, 22, 10, 0)) {
		t.Errorf("time %v", items[1].Time)
	}
}

func TestReadFileUTF16TabSeparated(t *testing.T) {
	items, _, st, err := readAll(t, "testdata/import/unicode.csv", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Encoding != "UTF-16" || len(items) != 1 {
		t.Fatalf("stats %+v items %d", st, len(items))
	}
	it := items[0]
	if it.Title != "路灯不亮" || it.Channel != domain.ChannelPetition || !it.Time.Equal(cst(2023, 7, 14, 8, 0, 0)) {
		t.Errorf("item = %+v", it)
	}
}

func TestReadFileBrokenJSONL(t *testing.T) {
	items, lines, st, err := readAll(t, "testdata/import/broken.jsonl", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantLines := []int{1, 4, 7, 9}
	if fmt.Sprint(lines) != fmt.Sprint(wantLines) {
		t.Fatalf("good lines = %v, want %v; errors %+v", lines, wantLines, st.Errors)
	}
	rejected := map[int]string{}
	for _, e := range st.Errors {
		rejected[e.Line] = e.Error
	}
	for line, want := range map[int]string{2: "JSON 不完整", 5: "缺少标题和正文", 6: "乱码", 8: "不是 JSON 对象"} {
		if !strings.Contains(rejected[line], want) {
			t.Errorf("line %d: reason %q, want it to mention %q", line, rejected[line], want)
		}
	}
	if st.Rejected != 4 || st.Read != 4 {
		t.Errorf("read %d rejected %d", st.Read, st.Rejected)
	}
	if items[0].Likes != 5 || items[0].Extra["extra_field"] != `{"a":1}` || items[0].Author != "A001" {
		t.Errorf("item 1 = %+v", items[0])
	}
	if items[1].Body != "外卖送餐太慢了，饭都凉了。" || items[1].Label != "0" {
		t.Errorf("text→Body / numeric label: %+v", items[1])
	}
	if items[2].Title != "市民反映：小区门口的路灯坏了" {
		t.Errorf("Latin-1 mojibake not repaired: %q", items[2].Title)
	}
	html := items[3]
	if html.Title != "标题" || html.Body != "正文&内容\n第二段" || strings.Contains(html.Body, "onerror") {
		t.Errorf("HTML not stripped: %q / %q", html.Title, html.Body)
	}
}

func TestReadFileWholeFileErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "d.csv"), 0o755); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.csv")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"fake xlsx", "testdata/import/fake.xlsx", "不是有效的 Excel 文件（.xlsx）：fake.xlsx"},
		{"missing", filepath.Join(dir, "nope.jsonl"), "找不到文件"},
		{"unknown extension", "testdata/import/../../doc.go", "不支持的文件类型"},
		{"old xls", filepath.Join(dir, "a.xls"), "旧版 Excel"},
		{"no title or body column", "testdata/import/noheader.csv", "没有标题或正文列"},
		{"empty csv", empty, "是空的"},
		{"directory", filepath.Join(dir, "d.csv"), "是文件夹"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := readAll(t, tc.path, ReadOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if !errors.Is(err, ErrBadFile) {
				t.Errorf("err %v does not match ErrBadFile", err)
			}
		})
	}
}

// TestReadFileHugeLine writes a 200 MB line between two good lines; the reader must reject it
// and go on. The line is streamed to disk, and the reader's own buffer never grows past MaxLine.
func TestReadFileHugeLine(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 200 MB")
	}
	path := filepath.Join(t.TempDir(), "big.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, `{"id":"a","title":"第一条"}`)
	f.WriteString(`{"id":"big","body":"`)
	chunk := bytes.Repeat([]byte("很长"), 1<<16)
	for n := 0; n < 200<<20; n += len(chunk) {
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	f.WriteString("\"}\n")
	fmt.Fprintln(f, `{"id":"c","title":"第三条"}`)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	items, lines, st, err := readAll(t, path, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || fmt.Sprint(lines) != "[1 3]" || st.Rejected != 1 || st.Errors[0].Line != 2 {
		t.Fatalf("items %d lines %v stats %+v", len(items), lines, st)
	}
	if !strings.Contains(st.Errors[0].Error, "1 MB") {
		t.Errorf("reason %q should name the limit", st.Errors[0].Error)
	}
}

func TestReadFileLongCSVRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "long.csv")
	long := strings.Repeat("长", 400)
	content := "标题,内容\n短,正文\n长,\"" + long + "\n" + long + "\"\n后,正文\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	items, lines, st, err := readAll(t, path, ReadOptions{MaxLine: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || fmt.Sprint(lines) != "[2 5]" || st.Rejected != 1 || st.Errors[0].Line != 3 {
		t.Fatalf("items %v lines %v stats %+v", items, lines, st)
	}
}

func TestReadFileXLSX(t *testing.T) {
	path := filepath.Join(t.TempDir(), "附件3.xlsx")
	wb := excelize.NewFile()
	rows := [][]any{
		{"留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "点赞数", "反对数"},
		{188006, "A000102948", "A3区一米阳光婚纱艺术摄影是否合法纳税了？", "2019/2/28 11:25:05", "请税务局查一下。", 2, 0},
		{},
		{188007, "A00074795", "", "", "", 0, 0},
		{188008, "U0008473", "A7县春华镇水泥路问题", time.Date(2020, 1, 6, 12, 9, 38, 0, time.UTC), "水泥路还没有修通。", 10, 1},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := wb.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := wb.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	wb.Close()
	items, lines, st, err := readAll(t, path, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(lines) != "[2 5]" || st.Rejected != 1 || st.Errors[0].Line != 4 {
		t.Fatalf("lines %v stats %+v", lines, st)
	}
	if items[0].SourceID != "188006" || items[0].Likes != 2 || !items[0].Time.Equal(cst(2019, 2, 28, 11, 25, 5)) {
		t.Errorf("item 0 = %+v", items[0])
	}
	if got := items[1].Time; !got.Equal(cst(2020, 1, 6, 12, 9, 38)) || items[1].Dislikes != 1 {
		t.Errorf("date cell read as %v (%+v)", got, items[1])
	}
}

func TestReadFileStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	_, err := ReadFile(context.Background(), "testdata/import/broken.jsonl", ReadOptions{}, func(int, domain.Item) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err %v after %d calls", err, n)
	}
}

func TestReadFileRealData(t *testing.T) {
	path := shareddata.Path("teddy2020c_hot", "train.jsonl")
	if _, err := os.Stat(path); err != nil {
		t.Skip("evaluation data not present")
	}
	items, _, st, err := readAll(t, path, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Rejected > 0 {
		t.Errorf("rejected %d real rows: %+v", st.Rejected, st.Errors[:min(5, len(st.Errors))])
	}
	for _, it := range items {
		if it.Time.IsZero() {
			t.Fatalf("time not parsed: %+v", it)
		}
	}
	if len(items) < 1000 {
		t.Errorf("only %d items", len(items))
	}
}

// FuzzParseJSONObject checks the JSONL row parser never panics and that what it accepts
// builds into valid UTF-8 items.
func FuzzParseJSONObject(f *testing.F) {
	for _, s := range []string{`{"title":"标题","body":"正文"}`, `{"a":[1,{"b":null}]}`, `{"x":1}}`, `[`, `{"title":"\ud800"}`} {
		f.Add([]byte(s))
	}
	rb := &rowBuilder{defSource: "f", channel: domain.ChannelOther}
	f.Fuzz(func(t *testing.T, b []byte) {
		keys, vals, err := parseJSONObject(b)
		if err != nil {
			return
		}
		if len(keys) != len(vals) {
			t.Fatalf("%d keys, %d values", len(keys), len(vals))
		}
		checkBuilt(t, rb.build(keys, vals))
	})
}

// FuzzCSVReader checks the bounded CSV parser: no panic, no record above the limit, and a
// record of plain fields round-trips.
func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "\"x\ny\",\"\"\"q\"\r\n", "a\"b,c\n", "\"open", ",,\n\n\n"} {
		f.Add([]byte(s))
	}
	rb := &rowBuilder{defSource: "f", channel: domain.ChannelOther}
	f.Fuzz(func(t *testing.T, b []byte) {
		cr := newCSVReader(bytes.NewReader(b), ',', 64)
		keys := []string{"title", "body", "time", "likes"}
		for i := 0; ; i++ {
			rec, err := cr.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if i > len(b) {
				t.Fatal("more records than bytes")
			}
			size := 0
			for _, f := range rec.fields {
				size += len(f)
			}
			if size > 64 {
				t.Fatalf("record of %d bytes passed a 64-byte limit", size)
			}
			checkBuilt(t, rb.build(keys, rec.fields))
		}
	})
}

func checkBuilt(t *testing.T, res rowResult) {
	t.Helper()
	if res.reject != "" {
		return
	}
	for _, s := range []string{res.item.Title, res.item.Body, res.item.SourceID, res.item.Author} {
		if _, ok := repairText(s); !ok {
			t.Fatalf("invalid text reached an item: %q", s)
		}
		if strings.ContainsAny(s, "<>") && looksLikeHTML(s) {
			t.Fatalf("markup reached an item: %q", s)
		}
	}
	if res.item.Title == "" && res.item.Body == "" {
		t.Fatal("item without title and body accepted")
	}
}
