package feed

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"minyi/domain"
)

// ReadOptions says how to read an import file.
type ReadOptions struct {
	Source  string // source name recorded on each item (default: the row's source, else the file's base name)
	Channel string // default channel when a row has none (default domain.ChannelOther)
	MaxLine int    // longest accepted line/row in bytes (default 1 MiB); longer lines are rejected, not read into memory whole
}

// DefaultMaxLine is the longest row ReadFile accepts when ReadOptions.MaxLine is zero.
const DefaultMaxLine = 1 << 20

// maxListed caps FileStats.Errors and Warnings, so a file of a million bad rows does not
// become a million-entry report; Rejected still counts them all.
const maxListed = 1000

// LineError names one rejected row: its 1-based line (JSONL/CSV) or row (XLSX) and a plain-Chinese reason.
type LineError struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// FileStats counts what a read saw. Read counts the good rows handed to fn, Rejected the rows
// refused; Errors lists the first 1,000 refusals. Warnings lists accepted rows with a value that
// could not be used (a time that could not be read is kept in Extra[TimeUnparsedKey] and
// Item.Time left zero, so the app falls back to the receipt time).
type FileStats struct {
	Read     int         `json:"read"`
	Rejected int         `json:"rejected"`
	Errors   []LineError `json:"errors,omitempty"`
	Warnings []LineError `json:"warnings,omitempty"`
	Encoding string      `json:"encoding,omitempty"` // text encoding detected for CSV/TSV
}

func (s *FileStats) reject(line int, reason string) {
	s.Rejected++
	if len(s.Errors) < maxListed {
		s.Errors = append(s.Errors, LineError{Line: line, Error: reason})
	}
}

func (s *FileStats) warn(line int, reason string) {
	if len(s.Warnings) < maxListed {
		s.Warnings = append(s.Warnings, LineError{Line: line, Error: reason})
	}
}

// userError is an error whose text is written for the officer; it still matches its sentinel
// kind and underlying cause with errors.Is.
type userError struct {
	msg   string
	kinds []error
}

func (e *userError) Error() string   { return e.msg }
func (e *userError) Unwrap() []error { return e.kinds }

func newUserError(msg string, kinds ...error) error {
	var ks []error
	for _, k := range kinds {
		if k != nil {
			ks = append(ks, k)
		}
	}
	return &userError{msg: msg, kinds: ks}
}

// ReadFile streams the messages of a .jsonl/.csv/.xlsx (also .json, .ndjson, .tsv, .txt) file,
// calling fn for each good row in order. A whole-file problem (missing, not really an xlsx,
// unknown extension, no title or body column) is the returned error, with a clear Chinese
// message matching ErrBadFile. If fn returns an error, reading stops and that error is returned.
func ReadFile(ctx context.Context, path string, opt ReadOptions, fn func(line int, it domain.Item) error) (FileStats, error) {
	return readFile(ctx, path, opt, nil, fn)
}

// readFile is ReadFile with columns renamed first (a folder source's Mapping.Columns).
func readFile(ctx context.Context, path string, opt ReadOptions, rename map[string]string, fn func(line int, it domain.Item) error) (FileStats, error) {
	var st FileStats
	if opt.MaxLine <= 0 {
		opt.MaxLine = DefaultMaxLine
	}
	rb := &rowBuilder{source: strings.TrimSpace(opt.Source), defSource: filepath.Base(path), channel: domain.ChannelOther, rename: rename}
	if opt.Channel != "" {
		if c, ok := NormalizeChannel(opt.Channel); ok {
			rb.channel = c
		} else {
			rb.channel = opt.Channel
		}
	}
	name := filepath.Base(path)
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt", ".xlsx", ".xlsm":
	case ".xls", ".et":
		return st, newUserError(fmt.Sprintf("暂不支持旧版 Excel 文件（%s）：请在 Excel 或 WPS 中另存为 .xlsx 后再导入", name), ErrBadFile)
	default:
		return st, newUserError(fmt.Sprintf("不支持的文件类型“%s”：请使用 .xlsx、.csv 或 .jsonl 文件", name), ErrBadFile)
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return st, newUserError(fmt.Sprintf("找不到文件：%s", path), ErrBadFile, err)
	case err != nil:
		return st, newUserError(fmt.Sprintf("无法打开文件 %s：%v", name, err), ErrBadFile, err)
	case fi.IsDir():
		return st, newUserError(fmt.Sprintf("“%s”是文件夹，不是文件", name), ErrBadFile)
	}
	emit := func(line int, res rowResult) error {
		if res.reject != "" {
			st.reject(line, res.reject)
			return nil
		}
		if res.warn != "" {
			st.warn(line, res.warn)
		}
		st.Read++
		return fn(line, res.item)
	}
	switch ext {
	case ".xlsx", ".xlsm":
		rb.excelSerial = true
		err = readXLSX(ctx, path, opt.MaxLine, rb, &st, emit)
	default:
		f, oerr := os.Open(path)
		if oerr != nil {
			return st, newUserError(fmt.Sprintf("无法打开文件 %s：%v", name, oerr), ErrBadFile, oerr)
		}
		defer f.Close()
		if ext == ".jsonl" || ext == ".ndjson" || ext == ".json" {
			err = readJSONFile(ctx, f, name, opt.MaxLine, rb, &st, emit)
		} else {
			err = readDelimited(ctx, f, name, ext, opt.MaxLine, rb, &st, emit)
		}
	}
	return st, err
}

// emitFunc receives one built row with its line number.
type emitFunc func(line int, res rowResult) error

// checkEvery is how many rows pass between context checks.
const checkEvery = 256

func tooLongReason(max int) string {
	return fmt.Sprintf("这一行超过 %s 上限，已跳过", byteSize(int64(max)))
}

// byteSize writes a size the way an officer reads it: 1 MB, 20 MB, 512 KB.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d 字节", n)
}

// readJSONFile reads JSON Lines, or a JSON array of objects when the file starts with '['.
func readJSONFile(ctx context.Context, f *os.File, name string, max int, rb *rowBuilder, st *FileStats, emit emitFunc) error {
	br := bufio.NewReaderSize(f, 64<<10)
	if isJSONArray(br) {
		return readJSONArray(ctx, br, name, max, rb, st, emit)
	}
	lr := newLineReader(br, max)
	for {
		b, tooLong, err := lr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return newUserError(fmt.Sprintf("读取 %s 第 %d 行时出错：%v", name, lr.line, err), ErrBadFile, err)
		}
		if lr.line%checkEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if tooLong {
			st.reject(lr.line, tooLongReason(max))
			continue
		}
		if lr.line == 1 {
			b = bytes.TrimPrefix(b, []byte("\ufeff"))
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		keys, vals, jerr := parseJSONObject(b)
		if jerr != nil {
			st.reject(lr.line, jerr.Error())
			continue
		}
		if err := emit(lr.line, rb.build(keys, vals)); err != nil {
			return err
		}
	}
}

// isJSONArray peeks past white space and a BOM for a leading '['.
func isJSONArray(br *bufio.Reader) bool {
	b, _ := br.Peek(4096)
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '['
}

// readJSONArray reads [ {...}, {...} ]; the "line" of an element is its 1-based position.
func readJSONArray(ctx context.Context, r io.Reader, name string, max int, rb *rowBuilder, st *FileStats, emit emitFunc) error {
	dec := json.NewDecoder(skipBOM(r))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return newUserError(fmt.Sprintf("%s 不是有效的 JSON：%s", name, jsonReason(err)), ErrBadFile, err)
	}
	for n := 1; dec.More(); n++ {
		if n%checkEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			st.reject(n, jsonReason(err))
			return newUserError(fmt.Sprintf("%s 第 %d 条之后的 JSON 无法继续读取：%s", name, n, jsonReason(err)), ErrBadFile, err)
		}
		if len(raw) > max {
			st.reject(n, tooLongReason(max))
			continue
		}
		keys, vals, err := parseJSONObject(raw)
		if err != nil {
			st.reject(n, err.Error())
			continue
		}
		if err := emit(n, rb.build(keys, vals)); err != nil {
			return err
		}
	}
	return nil
}

func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\ufeff")) {
		br.Discard(3)
	}
	return br
}

// parseJSONObject reads one JSON object into ordered keys and string values: strings as they
// are, numbers as written, booleans as true/false, null as "", nested values as compact JSON.
// Its error text is a plain-Chinese reason.
func parseJSONObject(b []byte) (keys, vals []string, err error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, errors.New(jsonReason(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, errors.New("这一行不是 JSON 对象（应以 { 开头）")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, errors.New(jsonReason(err))
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, errors.New(jsonReason(err))
		}
		keys = append(keys, key)
		vals = append(vals, jsonScalar(raw))
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, errors.New(jsonReason(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, errors.New("JSON 对象之后还有多余的内容")
	}
	return keys, vals, nil
}

// jsonScalar renders a JSON value as the string an Item field or Extra holds.
func jsonScalar(raw json.RawMessage) string {
	switch {
	case len(raw) == 0:
		return ""
	case raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case bytes.Equal(raw, []byte("null")):
		return ""
	case raw[0] == '{' || raw[0] == '[':
		var buf bytes.Buffer
		if json.Compact(&buf, raw) == nil {
			return buf.String()
		}
	}
	return string(raw)
}

// jsonReason says in Chinese what is wrong with a piece of JSON.
func jsonReason(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// Go's message quotes the offending byte, which is mojibake for Chinese text: say what was expected instead.
		what := "语法错误"
		switch msg := se.Error(); {
		case strings.Contains(msg, "looking for beginning of value"):
			what = "此处应为一个值（文字需用英文双引号括起来）"
		case strings.Contains(msg, "after object key:value pair"), strings.Contains(msg, "after array element"):
			what = "缺少逗号或括号"
		case strings.Contains(msg, "after object key"):
			what = "字段名后应为冒号"
		case strings.Contains(msg, "looking for beginning of object key string"):
			what = "字段名应为英文双引号括起来的文字"
		}
		return fmt.Sprintf("JSON 格式错误（第 %d 个字节附近）：%s", se.Offset, what)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return "JSON 不完整：在对象结束之前就中断了"
	case errors.As(err, &te):
		return fmt.Sprintf("JSON 类型不符（第 %d 个字节附近）", te.Offset)
	}
	return "JSON 格式错误：" + err.Error()
}

// readDelimited reads CSV or TSV with a header row, in whatever encoding textDecoder finds.
func readDelimited(ctx context.Context, f *os.File, name, ext string, max int, rb *rowBuilder, st *FileStats, emit emitFunc) error {
	r, enc, err := textDecoder(f)
	if err != nil {
		return newUserError(fmt.Sprintf("无法读取文件 %s：%v", name, err), ErrBadFile, err)
	}
	st.Encoding = enc
	br := bufio.NewReaderSize(r, 64<<10)
	comma := sniffDelimiter(br, ext)
	cr := newCSVReader(br, comma, max)
	head, err := cr.next()
	if err == io.EOF {
		return newUserError(fmt.Sprintf("文件 %s 是空的", name), ErrBadFile)
	}
	if err != nil {
		return newUserError(fmt.Sprintf("读取 %s 时出错：%v", name, err), ErrBadFile, err)
	}
	if head.tooLong {
		return newUserError(fmt.Sprintf("%s 的表头超过 %s 上限，可能不是表格文件", name, byteSize(int64(max))), ErrBadFile, ErrTooLarge)
	}
	keys, err := rb.checkHeader(name, head.fields)
	if err != nil {
		return err
	}
	for n := 0; ; n++ {
		rec, err := cr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return newUserError(fmt.Sprintf("读取 %s 第 %d 行时出错：%v", name, cr.line, err), ErrBadFile, err)
		}
		if n%checkEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		switch {
		case rec.tooLong:
			st.reject(rec.line, tooLongReason(max))
			continue
		case rec.unterminated:
			st.reject(rec.line, "引号没有闭合：这一行的某个字段以 \" 开头却没有结束，已读到文件末尾")
			continue
		}
		if err := emit(rec.line, rb.build(keys, rec.fields)); err != nil {
			return err
		}
	}
}

// sniffDelimiter picks tab or comma from the header line: .tsv means tab, and a .csv whose
// header has tabs but no commas was saved as "Unicode text" by Excel and is tab-separated too.
func sniffDelimiter(br *bufio.Reader, ext string) byte {
	if ext == ".tsv" {
		return '\t'
	}
	b, _ := br.Peek(8192)
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	if bytes.Count(b, []byte("\t")) > bytes.Count(b, []byte(",")) {
		return '\t'
	}
	if bytes.Count(b, []byte(";")) > 0 && bytes.Count(b, []byte(",")) == 0 {
		return ';'
	}
	return ','
}

// checkHeader cleans the header row and requires a title or body column, since without one
// every row would be rejected.
func (rb *rowBuilder) checkHeader(name string, fields []string) ([]string, error) {
	keys := make([]string, len(fields))
	hasText := false
	for i, f := range fields {
		k, _ := repairText(f)
		keys[i] = oneLine(k)
		if ff := rb.field(keys[i]); ff == fTitle || ff == fBody {
			hasText = true
		}
	}
	if !hasText {
		return nil, newUserError(fmt.Sprintf("%s 的第一行（表头）中没有标题或正文列：需要“标题”“内容”“留言主题”“留言详情”或 title、body 等列名；现有列：%s",
			name, clip(strings.Join(keys, "、"), 200)), ErrBadFile)
	}
	return keys, nil
}

// readXLSX streams the first sheet of a workbook; the first non-empty row is the header.
func readXLSX(ctx context.Context, path string, max int, rb *rowBuilder, st *FileStats, emit emitFunc) error {
	name := filepath.Base(path)
	bad := func(err error) error {
		return newUserError(fmt.Sprintf("不是有效的 Excel 文件（.xlsx）：%s", name), ErrBadFile, err)
	}
	wb, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true})
	if err != nil {
		return bad(err)
	}
	defer wb.Close()
	sheets := wb.GetSheetList()
	if len(sheets) == 0 {
		return bad(errors.New("no sheets"))
	}
	rows, err := wb.Rows(sheets[0])
	if err != nil {
		return bad(err)
	}
	defer rows.Close()
	var keys []string
	for line := 1; rows.Next(); line++ {
		if line%checkEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return newUserError(fmt.Sprintf("读取 %s 第 %d 行时出错：%v", name, line, err), ErrBadFile, err)
		}
		size := 0
		blank := true
		for _, c := range cols {
			size += len(c)
			if strings.TrimSpace(c) != "" {
				blank = false
			}
		}
		if blank {
			continue
		}
		if keys == nil {
			if keys, err = rb.checkHeader(name, cols); err != nil {
				return err
			}
			continue
		}
		if size > max {
			st.reject(line, tooLongReason(max))
			continue
		}
		if err := emit(line, rb.build(keys, cols)); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return newUserError(fmt.Sprintf("读取 %s 时出错：%v", name, err), ErrBadFile, err)
	}
	if keys == nil {
		return newUserError(fmt.Sprintf("%s 的第一个工作表是空的", name), ErrBadFile)
	}
	return nil
}
