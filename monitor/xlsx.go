package monitor

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// XLSX writes the brief as a workbook (概览, 热点话题, 负面热点, 分类与区县, 超期案件, 部门, 每日来件).
// Document properties carry the data's own dates, never the clock, so the bytes are reproducible.
func (b *Brief) XLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	stamp := b.To + "T00:00:00Z"
	if err := f.SetDocProps(&excelize.DocProperties{
		Title: b.Title + " " + b.From + " 至 " + b.To, Creator: "民意 Minyi", LastModifiedBy: "民意 Minyi",
		Created: stamp, Modified: stamp, Language: "zh-CN",
	}); err != nil {
		return nil, fmt.Errorf("xlsx properties: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F1"}}})
	if err != nil {
		return nil, fmt.Errorf("xlsx style: %w", err)
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10})
	if err != nil {
		return nil, fmt.Errorf("xlsx style: %w", err)
	}
	type sheet struct {
		name   string
		header []string
		rows   [][]any
		pctCol []int // 1-based columns shown as percentages
		widths []float64
	}
	sheets := []sheet{{
		name: "概览", header: []string{"项目", "本期", "上期", "变化"},
		rows: [][]any{
			{"标题", b.Title, "", ""},
			{"时段", b.From + " 至 " + b.To, "", ""},
			{"数据截至", b.DataUntil, "", ""},
			{"来件总量", b.Total, b.PrevTotal, b.TotalChange()},
			{"负面来件", b.Negative, b.PrevNegative, change(b.Negative, b.PrevNegative)},
			{"负面占比", b.NegativeShare, "", ""},
			{"点赞合计", b.Likes, "", ""},
			{"超期案件", b.OverdueTotal, "", ""},
		},
		pctCol: []int{4}, widths: []float64{14, 28, 12, 10},
	}}
	var topics [][]any
	for i, t := range b.Topics {
		topics = append(topics, []any{i + 1, t.Title, t.Size, t.Heat, t.Likes, t.Sentiment.NegativeShare, joinMax(t.Keywords, 6),
			placesText(t.Places), Day(t.First) + " 至 " + Day(t.Last), risingText(t.Rising), evidenceText(t)})
	}
	sheets = append(sheets, sheet{name: "热点话题", header: []string{"排名", "话题", "来件数", "热度", "点赞", "负面占比", "关键词", "地点", "时间", "态势", "代表来件"},
		rows: topics, pctCol: []int{6}, widths: []float64{6, 40, 8, 8, 8, 10, 30, 24, 26, 8, 60}})
	var spotsRows [][]any
	for _, s := range b.NegativeSpots {
		spotsRows = append(spotsRows, []any{s.Kind, s.Name, s.Negative, s.Total, s.Share, s.Prev})
	}
	sheets = append(sheets, sheet{name: "负面热点", header: []string{"类型", "名称", "负面来件", "来件", "负面占比", "上期负面"}, rows: spotsRows, pctCol: []int{5}, widths: []float64{8, 24, 10, 8, 10, 10}})
	var mix [][]any
	for _, group := range []struct {
		kind string
		ds   []Delta
	}{{"渠道", b.Channels}, {"分类", b.Categories}, {"区县", b.Districts}} {
		for _, d := range group.ds {
			mix = append(mix, []any{group.kind, d.Name, d.Count, d.Prev, d.Change})
		}
	}
	sheets = append(sheets, sheet{name: "分类与区县", header: []string{"维度", "名称", "本期", "上期", "变化"}, rows: mix, pctCol: []int{5}, widths: []float64{8, 24, 8, 8, 10}})
	var od [][]any
	for _, o := range b.Overdue {
		od = append(od, []any{o.ID, o.Title, o.Department, o.Status, o.Due, o.DaysOver})
	}
	sheets = append(sheets, sheet{name: "超期案件", header: []string{"编号", "标题", "部门", "状态", "期限", "超期天数"}, rows: od, widths: []float64{10, 40, 24, 8, 18, 8}})
	var dep [][]any
	for _, d := range b.Departments {
		dep = append(dep, []any{d.Department, d.Received, d.Dispatched, d.Replied, d.Overdue, d.OnTimeRate, d.SatisfactionRate})
	}
	sheets = append(sheets, sheet{name: "部门", header: []string{"部门", "本期来件", "派单", "答复", "超期", "按时率", "满意率"}, rows: dep, pctCol: []int{6, 7}, widths: []float64{28, 10, 8, 8, 8, 10, 10}})
	var days [][]any
	for _, d := range b.ByDay {
		days = append(days, []any{d.Date, d.Count, d.Negative})
	}
	sheets = append(sheets, sheet{name: "每日来件", header: []string{"日期", "来件", "负面"}, rows: days, widths: []float64{12, 8, 8}})

	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				return nil, fmt.Errorf("xlsx sheet: %w", err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			return nil, fmt.Errorf("xlsx sheet %s: %w", s.name, err)
		}
		// Not the stream writer: excelize writes streamed sheets in map order, which would make
		// two exports of the same brief differ byte for byte.
		for c, w := range s.widths {
			col, _ := excelize.ColumnNumberToName(c + 1)
			if err := f.SetColWidth(s.name, col, col, w); err != nil {
				return nil, fmt.Errorf("xlsx width: %w", err)
			}
		}
		head := make([]any, len(s.header))
		for c, h := range s.header {
			head[c] = h
		}
		if err := f.SetSheetRow(s.name, "A1", &head); err != nil {
			return nil, fmt.Errorf("xlsx row: %w", err)
		}
		last, _ := excelize.CoordinatesToCellName(len(s.header), 1)
		if err := f.SetCellStyle(s.name, "A1", last, bold); err != nil {
			return nil, fmt.Errorf("xlsx style: %w", err)
		}
		for r, row := range s.rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := f.SetSheetRow(s.name, cell, &row); err != nil {
				return nil, fmt.Errorf("xlsx row: %w", err)
			}
		}
		for _, pc := range s.pctCol {
			if len(s.rows) == 0 {
				break
			}
			top, _ := excelize.CoordinatesToCellName(pc, 2)
			bottom, _ := excelize.CoordinatesToCellName(pc, len(s.rows)+1)
			if err := f.SetCellStyle(s.name, top, bottom, pct); err != nil {
				return nil, fmt.Errorf("xlsx style: %w", err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("write xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

func placesText(ps []Count) string {
	names := make([]string, 0, len(ps))
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return joinMax(names, 4)
}

func risingText(r bool) string {
	if r {
		return "上升"
	}
	return ""
}

func evidenceText(t Topic) string {
	s := ""
	for i, m := range t.Representative {
		if i == 3 {
			break
		}
		if i > 0 {
			s += "；"
		}
		s += m.ID + " " + m.Title
	}
	return s
}
