package route

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// directorySheet is the sheet name officers see when they open the exported workbook.
const directorySheet = "部门目录"

// xlsxHeader is the column order of the directory workbook; ReadDirectoryXLSX finds columns by
// these header names, so officers may reorder columns or add their own.
var xlsxHeader = []string{"编码", "名称", "层级", "类型", "所属区县", "管辖范围", "受理事项", "联系方式"}

// listSep joins list cells; officers type 、 naturally, and ReadDirectoryXLSX also accepts ,，;；.
const listSep = "、"

// WriteXLSX writes the directory as a one-sheet workbook that ReadDirectoryXLSX reads back,
// so offices can maintain their directory in Excel.
func (d *Directory) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", directorySheet); err != nil {
		return fmt.Errorf("name sheet: %w", err)
	}
	sw, err := f.NewStreamWriter(directorySheet)
	if err != nil {
		return fmt.Errorf("stream sheet: %w", err)
	}
	row := func(n int, vals []string) error {
		cells := make([]any, len(vals))
		for i, v := range vals {
			cells[i] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return sw.SetRow(cell, cells)
	}
	if err := row(1, xlsxHeader); err != nil {
		return fmt.Errorf("write header: %w", err)
	}
	if d != nil {
		for i, dep := range d.Departments {
			vals := []string{dep.Code, dep.Name, dep.Level, dep.Kind, dep.District,
				strings.Join(dep.Jurisdiction, listSep), strings.Join(dep.Matters, listSep), dep.Contact}
			if err := row(i+2, vals); err != nil {
				return fmt.Errorf("write department %s: %w", dep.Name, err)
			}
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("flush sheet: %w", err)
	}
	if d != nil && d.City != "" {
		if err := f.SetDocProps(&excelize.DocProperties{Title: d.City}); err != nil {
			return fmt.Errorf("set title: %w", err)
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// ReadDirectoryXLSX reads a directory workbook: the first sheet, a header row naming at least
// 名称, and one department per row. Empty rows are skipped. The city is taken from the
// workbook title when present.
func ReadDirectoryXLSX(r io.Reader) (*Directory, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: 无法打开 Excel 文件：%v", ErrInvalidDirectory, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fmt.Errorf("%w: Excel 文件没有工作表", ErrInvalidDirectory)
	}
	sheet := sheets[0]
	for _, s := range sheets {
		if s == directorySheet {
			sheet = s
		}
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		return nil, fmt.Errorf("%w: 读取工作表「%s」失败：%v", ErrInvalidDirectory, sheet, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: 工作表「%s」为空", ErrInvalidDirectory, sheet)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimSpace(h)] = i
	}
	if _, ok := col["名称"]; !ok {
		return nil, fmt.Errorf("%w: 工作表「%s」第一行缺少「名称」列", ErrInvalidDirectory, sheet)
	}
	get := func(row []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}
	var deps []Department
	for _, row := range rows[1:] {
		if strings.TrimSpace(strings.Join(row, "")) == "" {
			continue
		}
		deps = append(deps, Department{
			Code:         get(row, "编码"),
			Name:         get(row, "名称"),
			Level:        get(row, "层级"),
			Kind:         get(row, "类型"),
			District:     get(row, "所属区县"),
			Jurisdiction: splitList(get(row, "管辖范围")),
			Matters:      splitList(get(row, "受理事项")),
			Contact:      get(row, "联系方式"),
		})
	}
	city := ""
	if props, err := f.GetDocProps(); err == nil {
		city = props.Title
	}
	return NewDirectory(city, deps)
}

// splitList splits a list cell on the separators officers use.
func splitList(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case '、', ',', '，', ';', '；', '\n':
			return true
		}
		return false
	})
	var out []string
	for _, f := range fields {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
