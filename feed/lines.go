package feed

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// lineReader reads newline-terminated lines while holding at most max bytes of any one, so a
// 200 MB line is skipped to its end instead of being read into memory.
type lineReader struct {
	br   *bufio.Reader
	max  int
	line int // number of the line last returned, 1-based
	buf  []byte
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10), max: max}
}

// next returns the next line without its line ending. tooLong reports a line longer than max,
// whose content is then nil. err is io.EOF after the last line.
func (lr *lineReader) next() (b []byte, tooLong bool, err error) {
	lr.buf = lr.buf[:0]
	lr.line++
	for {
		chunk, err := lr.br.ReadSlice('\n')
		if !tooLong {
			if len(lr.buf)+len(chunk) > lr.max+2 { // +2: the line ending is not content
				tooLong = true
				lr.buf = lr.buf[:0]
			} else {
				lr.buf = append(lr.buf, chunk...)
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF:
			if len(lr.buf) == 0 && !tooLong {
				return nil, false, io.EOF
			}
		case err != nil:
			return nil, false, err
		}
		break
	}
	b = bytes.TrimSuffix(lr.buf, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	if len(b) > lr.max {
		tooLong = true
	}
	if tooLong {
		return nil, true, nil
	}
	return b, false, nil
}

// csvRecord is one record of a CSV/TSV file.
type csvRecord struct {
	fields       []string
	line         int  // physical line where the record starts, 1-based
	tooLong      bool // longer than the limit; fields is nil
	unterminated bool // a quoted field ran to the end of the file
}

// csvReader parses RFC 4180 CSV (and TSV) leniently, one record at a time and with a bound on
// the bytes of one record: quoted fields may span lines, "" is a quote, a quote inside an
// unquoted field is kept literally. encoding/csv cannot bound a record, hence this.
type csvReader struct {
	br    *bufio.Reader
	comma byte
	max   int
	line  int // physical lines consumed
	field []byte
}

func newCSVReader(r io.Reader, comma byte, max int) *csvReader {
	return &csvReader{br: bufio.NewReaderSize(r, 64<<10), comma: comma, max: max}
}

// next returns the next non-empty record, or io.EOF.
func (cr *csvReader) next() (csvRecord, error) {
	for {
		rec, empty, err := cr.read()
		if err != nil {
			return rec, err
		}
		if !empty {
			return rec, nil
		}
	}
}

// read parses one record; empty is true for a blank line.
func (cr *csvReader) read() (rec csvRecord, empty bool, err error) {
	rec.line = cr.line + 1
	size := 0
	cr.field = cr.field[:0]
	sawAny := false
	endField := func() {
		if !rec.tooLong {
			rec.fields = append(rec.fields, string(cr.field))
		}
		cr.field = cr.field[:0]
	}
	add := func(c byte) {
		size++
		if rec.tooLong {
			return
		}
		if size > cr.max {
			rec.tooLong, rec.fields, cr.field = true, nil, cr.field[:0]
			return
		}
		cr.field = append(cr.field, c)
	}
	atFieldStart, quoted := true, false
	for {
		c, err := cr.br.ReadByte()
		if err == io.EOF {
			if !sawAny {
				return rec, false, io.EOF
			}
			if quoted {
				rec.unterminated = true
			}
			cr.line++
			endField()
			return rec, false, nil
		}
		if err != nil {
			return rec, false, err
		}
		sawAny = true
		switch {
		case quoted:
			if c == '"' {
				next, perr := cr.br.Peek(1)
				if perr == nil && next[0] == '"' {
					cr.br.ReadByte()
					add('"')
					continue
				}
				quoted = false
				continue
			}
			if c == '\n' {
				cr.line++
			}
			add(c)
		case c == '"' && atFieldStart:
			quoted, atFieldStart = true, false
		case c == cr.comma:
			endField()
			atFieldStart = true
		case c == '\n' || c == '\r':
			if c == '\r' {
				if next, perr := cr.br.Peek(1); perr == nil && next[0] == '\n' {
					cr.br.ReadByte()
				}
			}
			cr.line++
			if len(rec.fields) == 0 && len(cr.field) == 0 && atFieldStart && !rec.tooLong {
				return rec, true, nil
			}
			endField()
			return rec, false, nil
		default:
			atFieldStart = false
			add(c)
		}
	}
}

// textDecoder wraps r so that it yields UTF-8, detecting the encoding from a BOM, and
// otherwise from the first non-ASCII bytes of the file: valid UTF-8 stays, anything else is
// read as GB18030 (a superset of GBK and GB2312, which Chinese Excel writes by default).
// It returns the encoding's name for messages.
func textDecoder(r io.ReadSeeker) (io.Reader, string, error) {
	head := make([]byte, 4)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, "", err
	}
	head = head[:n]
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, "", err
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		r.Seek(3, io.SeekStart)
		return r, "UTF-8", nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()
		return transform.NewReader(r, dec), "UTF-16", nil
	}
	isUTF8, err := sniffUTF8(r)
	if err != nil {
		return nil, "", err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, "", err
	}
	if isUTF8 {
		return r, "UTF-8", nil
	}
	var gb encoding.Encoding = simplifiedchinese.GB18030
	return transform.NewReader(r, gb.NewDecoder()), "GB18030", nil
}

// sniffUTF8 scans to the first non-ASCII byte and checks whether the 4 KB from there are UTF-8.
// An all-ASCII file is UTF-8.
func sniffUTF8(r io.Reader) (bool, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		b, err := br.Peek(4096)
		i := -1
		for j := 0; j < len(b); j++ {
			if b[j] >= utf8.RuneSelf {
				i = j
				break
			}
		}
		if i >= 0 {
			br.Discard(i)
			w, _ := br.Peek(4096)
			// drop a character cut at the end of the window
			for k := 0; k < utf8.UTFMax && len(w) > 0 && !utf8.Valid(w); k++ {
				w = w[:len(w)-1]
			}
			return utf8.Valid(w) && len(w) > 0, nil
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return true, nil
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				return false, err
			}
		}
		br.Discard(len(b))
	}
}
