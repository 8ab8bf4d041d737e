package monitor

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"strings"
)

// HTML renders the brief as one printable page: inline CSS with print rules and inline SVG
// charts, no script and no network. html/template escapes every string from the data (feed text
// is hostile); the SVG is built here from numbers and escaped labels only.
func (b *Brief) HTML() []byte {
	var buf bytes.Buffer
	if err := briefTemplate.Execute(&buf, b); err != nil {
		// The template is fixed and the data plain values: failure is a programming error.
		panic(fmt.Sprintf("render brief: %v", err))
	}
	return buf.Bytes()
}

var briefTemplate = template.Must(template.New("brief").Funcs(template.FuncMap{
	"pct":       func(x float64) string { return fmt.Sprintf("%.1f%%", x*100) },
	"chg":       changeText,
	"inc":       func(i int) int { return i + 1 },
	"join":      func(ws []string) string { return strings.Join(ws, "、") },
	"places":    placesText,
	"day":       Day,
	"dayChart":  dayChart,
	"barChart":  barChart,
	"hourChart": hourChart,
}).Parse(briefHTML))

// changeText writes a relative change the way a brief reads: ↑12.5%, ↓3.0%, 持平, 新增.
func changeText(cur, prev int) string {
	switch {
	case prev == 0 && cur == 0:
		return "—"
	case prev == 0:
		return "新增"
	case cur == prev:
		return "持平"
	}
	c := float64(cur-prev) / float64(prev) * 100
	if c > 0 {
		return fmt.Sprintf("↑%.1f%%", c)
	}
	return fmt.Sprintf("↓%.1f%%", -c)
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// dayChart draws daily volume as bars with the negative part in red.
func dayChart(days []DayCount) template.HTML {
	const w, h, pad, bottom = 720.0, 200.0, 36.0, 28.0
	top := 1
	for _, d := range days {
		top = max(top, d.Count)
	}
	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-label="每日来件">`, w, h)
	fmt.Fprintf(&s, `<text x="%.0f" y="14" font-size="11" fill="#555">%d</text>`, 4.0, top)
	fmt.Fprintf(&s, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#999"/>`, pad, h-bottom, w-4, h-bottom)
	n := max(len(days), 1)
	bw := (w - pad - 4) / float64(n)
	every := int(math.Ceil(float64(n) / 12))
	for i, d := range days {
		x := pad + float64(i)*bw
		bh := (h - bottom - 20) * float64(d.Count) / float64(top)
		nh := (h - bottom - 20) * float64(d.Negative) / float64(top)
		fmt.Fprintf(&s, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#4a7ebb"><title>%s：%d 条，负面 %d</title></rect>`,
			x+bw*0.1, h-bottom-bh, bw*0.8, bh, esc(d.Date), d.Count, d.Negative)
		fmt.Fprintf(&s, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#c0504d"/>`, x+bw*0.1, h-bottom-nh, bw*0.8, nh)
		if i%every == 0 {
			fmt.Fprintf(&s, `<text x="%.1f" y="%.0f" font-size="10" text-anchor="middle" fill="#333">%s</text>`, x+bw/2, h-bottom+14, esc(shortDay(d.Date)))
		}
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

func shortDay(d string) string {
	if len(d) == len(DayLayout) {
		return d[5:]
	}
	return d
}

// hourChart draws the volume by hour of day.
func hourChart(hours []int) template.HTML {
	days := make([]DayCount, len(hours))
	for i, n := range hours {
		days[i] = DayCount{Date: fmt.Sprintf("%02d时", i), Count: n}
	}
	return dayChart(days)
}

// barChart draws horizontal bars for named counts, this period against the previous one.
func barChart(ds []Delta) template.HTML {
	if len(ds) > 12 {
		ds = ds[:12]
	}
	const w, row, label = 720.0, 22.0, 150.0
	h := row*float64(len(ds)) + 8
	top := 1
	for _, d := range ds {
		top = max(top, d.Count, d.Prev)
	}
	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="100%%" role="img">`, w, h)
	for i, d := range ds {
		y := 4 + float64(i)*row
		bw := (w - label - 60) * float64(d.Count) / float64(top)
		pw := (w - label - 60) * float64(d.Prev) / float64(top)
		fmt.Fprintf(&s, `<text x="%.0f" y="%.1f" font-size="12" text-anchor="end" fill="#333">%s</text>`, label-6, y+14, esc(truncate(d.Name, 12)))
		fmt.Fprintf(&s, `<rect x="%.0f" y="%.1f" width="%.1f" height="%.1f" fill="#ccc"><title>上期 %d</title></rect>`, label, y+13, pw, 4.0, d.Prev)
		fmt.Fprintf(&s, `<rect x="%.0f" y="%.1f" width="%.1f" height="12" fill="#4a7ebb"/>`, label, y, bw)
		fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" font-size="11" fill="#333">%d</text>`, label+bw+4, y+11, d.Count)
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

const briefHTML = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{{.Title}} {{.From}}{{if ne .From .To}} 至 {{.To}}{{end}}</title>
<style>
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;color:#222;margin:24px auto;max-width:820px;font-size:14px;line-height:1.55}
h1{font-size:24px;text-align:center;margin:0 0 4px;color:#a00}
.sub{text-align:center;color:#666;margin-bottom:16px}
h2{font-size:17px;border-left:4px solid #a00;padding-left:8px;margin:22px 0 8px}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f1f4f8}
td.n{text-align:right;white-space:nowrap}
.kpi{display:flex;gap:10px;flex-wrap:wrap}
.kpi div{flex:1;border:1px solid #ddd;border-radius:4px;padding:6px 10px;min-width:140px}
.kpi b{font-size:20px;display:block}
.up{color:#c00}.down{color:#070}
.tag{display:inline-block;background:#c00;color:#fff;border-radius:3px;padding:0 4px;font-size:12px}
.ev{color:#555;font-size:12px}
@media print{body{margin:0;max-width:none;font-size:11pt}h2{break-after:avoid}tr,.topic{break-inside:avoid}a{color:inherit;text-decoration:none}@page{size:A4;margin:15mm}}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<div class="sub">{{.From}}{{if ne .From .To}} 至 {{.To}}{{end}}　数据截至 {{if .DataUntil}}{{.DataUntil}}{{else}}（本期无来件）{{end}}</div>

<h2>一、总体情况</h2>
<div class="kpi">
<div>来件总量<b>{{.Total}}</b>较上期 {{chg .Total .PrevTotal}}（上期 {{.PrevTotal}}）</div>
<div>负面来件<b>{{.Negative}}</b>占比 {{pct .NegativeShare}}，较上期 {{chg .Negative .PrevNegative}}</div>
<div>超期案件<b>{{.OverdueTotal}}</b>截至期末仍未办结</div>
{{if .Likes}}<div>点赞合计<b>{{.Likes}}</b>来自留言板</div>{{end}}
</div>
<p>每日来件（蓝）与其中负面（红）：</p>
{{dayChart .ByDay}}
<p>来件时段分布：</p>
{{hourChart .ByHour}}

<h2>二、热点话题</h2>
{{if .Topics}}{{range $i, $t := .Topics}}<div class="topic">
<p><b>{{inc $i}}. {{$t.Title}}</b>{{if $t.Rising}} <span class="tag">上升</span>{{end}}<br>
来件 {{$t.Size}} 条 · 热度 {{printf "%.2f" $t.Heat}} · 负面 {{pct $t.Sentiment.NegativeShare}}{{if $t.Likes}} · 点赞 {{$t.Likes}}{{end}}{{if $t.Places}} · 地点 {{places $t.Places}}{{end}} · {{day $t.First}} 至 {{day $t.Last}}<br>
关键词：{{join $t.Keywords}}</p>
<div class="ev">代表来件：{{range $t.Representative}}<br>{{.ID}} {{.Title}}{{end}}{{if $t.Cases}}<br>关联案件：{{join $t.Cases}}{{end}}</div>
</div>{{end}}{{else}}<p>本期未形成两条以上来件的话题。</p>{{end}}
{{if .RisingWords}}<p>期末突增词：{{range $i, $w := .RisingWords}}{{if $i}}、{{end}}{{$w.Term}}（{{$w.Count}}，日均 {{printf "%.1f" $w.Mean}}）{{end}}</p>{{end}}

<h2>三、负面热点</h2>
{{if .NegativeSpots}}<table><tr><th>类型</th><th>名称</th><th>负面来件</th><th>来件</th><th>负面占比</th><th>上期负面</th></tr>
{{range .NegativeSpots}}<tr><td>{{.Kind}}</td><td>{{.Name}}</td><td class="n">{{.Negative}}</td><td class="n">{{.Total}}</td><td class="n">{{pct .Share}}</td><td class="n">{{.Prev}}</td></tr>
{{end}}</table>{{else}}<p>本期无集中的负面来件。</p>{{end}}

<h2>四、分类与区域</h2>
<p>按分类（蓝为本期，灰线为上期）：</p>
{{barChart .Categories}}
<p>按区县：</p>
{{barChart .Districts}}
<table><tr><th>渠道</th><th>本期</th><th>上期</th><th>变化</th></tr>
{{range .Channels}}<tr><td>{{.Name}}</td><td class="n">{{.Count}}</td><td class="n">{{.Prev}}</td><td class="n">{{chg .Count .Prev}}</td></tr>
{{end}}</table>

<h2>五、超期案件</h2>
{{if .Overdue}}<p>共 {{.OverdueTotal}} 件{{if gt .OverdueTotal (len .Overdue)}}，下列超期最久的 {{len .Overdue}} 件{{end}}：</p>
<table><tr><th>编号</th><th>标题</th><th>部门</th><th>状态</th><th>期限</th><th>超期天数</th></tr>
{{range .Overdue}}<tr><td>{{.ID}}</td><td>{{.Title}}</td><td>{{.Department}}</td><td>{{.Status}}</td><td>{{.Due}}</td><td class="n">{{.DaysOver}}</td></tr>
{{end}}</table>{{else}}<p>无超期案件。</p>{{end}}

<h2>六、部门办理</h2>
{{if .Departments}}<table><tr><th>部门</th><th>本期来件</th><th>派单</th><th>答复</th><th>超期</th><th>按时率</th><th>满意率</th></tr>
{{range .Departments}}<tr><td>{{.Department}}</td><td class="n">{{.Received}}</td><td class="n">{{.Dispatched}}</td><td class="n">{{.Replied}}</td><td class="n">{{.Overdue}}</td><td class="n">{{pct .OnTimeRate}}</td><td class="n">{{pct .SatisfactionRate}}</td></tr>
{{end}}</table>{{else}}<p>本期无部门办理数据。</p>{{end}}
<p class="ev">本报告由民意（Minyi）根据本地数据自动生成；同一数据重复生成结果一致。</p>
</body>
</html>
`
