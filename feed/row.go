package feed

import (
	"fmt"
	"strconv"
	"strings"

	"minyi/domain"
)

// field is an Item field a row column can fill.
type field int

const (
	fNone field = iota
	fID
	fTitle
	fBody
	fTime
	fLabel
	fDepartment
	fSource
	fAuthor
	fChannel
	fURL
	fLikes
	fDislikes
)

// fieldAliases maps column names (lower-cased) to Item fields: the English keys of the
// evaluation data and the Chinese headers of 信访, 12345 and 留言板 exports.
var fieldAliases = map[string]field{
	"id": fID, "guid": fID, "source_id": fID, "留言编号": fID, "编号": fID, "信件编号": fID,
	"工单编号": fID, "工单号": fID, "信访件编号": fID, "件号": fID,
	"title": fTitle, "subject": fTitle, "留言主题": fTitle, "标题": fTitle, "主题": fTitle,
	"信件标题": fTitle, "诉求标题": fTitle,
	"body": fBody, "text": fBody, "content": fBody, "description": fBody, "留言详情": fBody,
	"内容": fBody, "信件内容": fBody, "正文": fBody, "来信内容": fBody, "诉求内容": fBody,
	"留言内容": fBody, "反映内容": fBody, "详情": fBody,
	"time": fTime, "date": fTime, "created_at": fTime, "published": fTime, "留言时间": fTime,
	"来信日期": fTime, "来信时间": fTime, "时间": fTime, "日期": fTime, "受理时间": fTime,
	"发布时间": fTime, "来电时间": fTime, "登记时间": fTime,
	"label": fLabel, "category": fLabel, "一级分类": fLabel, "一级标签": fLabel, "分类": fLabel,
	"类别": fLabel, "问题分类": fLabel,
	"department": fDepartment, "回复单位": fDepartment, "承办单位": fDepartment,
	"处理部门": fDepartment, "办理单位": fDepartment, "部门": fDepartment, "责任单位": fDepartment,
	"source": fSource, "来源": fSource,
	"user": fAuthor, "author": fAuthor, "留言用户": fAuthor, "用户": fAuthor, "来信人": fAuthor,
	"反映人": fAuthor, "姓名": fAuthor, "留言人": fAuthor,
	"channel": fChannel, "渠道": fChannel, "来源渠道": fChannel,
	"url": fURL, "link": fURL, "链接": fURL, "网址": fURL,
	"likes": fLikes, "点赞数": fLikes, "点赞": fLikes,
	"dislikes": fDislikes, "反对数": fDislikes, "反对": fDislikes,
}

// fieldFor names the Item field a column header fills, fNone for unknown columns.
func fieldFor(header string) field {
	h := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(header, "\ufeff")))
	return fieldAliases[h]
}

// channelAliases maps how sources spell a channel to the domain constant.
var channelAliases = map[string]string{
	"信访": domain.ChannelPetition, "信访件": domain.ChannelPetition, "来信": domain.ChannelPetition,
	"来访": domain.ChannelPetition, "网上信访": domain.ChannelPetition, "petition": domain.ChannelPetition,
	"12345": domain.ChannelHotline, "12345热线": domain.ChannelHotline, "热线": domain.ChannelHotline,
	"市民热线": domain.ChannelHotline, "hotline": domain.ChannelHotline,
	"留言板": domain.ChannelBoard, "领导留言板": domain.ChannelBoard, "网络问政": domain.ChannelBoard,
	"board": domain.ChannelBoard,
	"信箱":    domain.ChannelMailbox, "市长信箱": domain.ChannelMailbox, "书记信箱": domain.ChannelMailbox,
	"mailbox": domain.ChannelMailbox,
	"媒体":      domain.ChannelMedia, "新闻": domain.ChannelMedia, "媒体报道": domain.ChannelMedia,
	"media": domain.ChannelMedia,
	"其他":    domain.ChannelOther, "其它": domain.ChannelOther, "other": domain.ChannelOther,
}

// NormalizeChannel maps a channel as a source spells it ("12345热线", "市长信箱", "board") to
// one of the domain.Channel… constants; ok is false when it is not recognised.
func NormalizeChannel(s string) (string, bool) {
	c, ok := channelAliases[strings.ToLower(strings.TrimSpace(s))]
	return c, ok
}

// rowBuilder turns the columns of one row into an Item, with the file's defaults.
type rowBuilder struct {
	source      string // ReadOptions.Source as given ("" when defaulted)
	defSource   string // the file's base name
	channel     string
	excelSerial bool              // times may be spreadsheet day numbers
	rename      map[string]string // column → import field name, tried before the aliases
}

// field is fieldFor after the builder's renames.
func (rb *rowBuilder) field(key string) field {
	if r, ok := rb.rename[key]; ok {
		return fieldFor(r)
	}
	return fieldFor(key)
}

// rowResult is one built row: the item, or why it was rejected, and a non-fatal warning.
type rowResult struct {
	item   domain.Item
	reject string // plain-Chinese reason; "" when the row is good
	warn   string // plain-Chinese note about a repaired or dropped value
}

// build maps keys[i]=values[i] onto an Item. Known fields fill the Item (the first non-empty
// value wins when two columns mean the same field); everything else goes to Extra.
func (rb *rowBuilder) build(keys, values []string) rowResult {
	var it domain.Item
	var rawTitle, rawBody, rawTime, rowSource string
	var warns []string
	extra := func(k, v string) {
		if it.Extra == nil {
			it.Extra = make(map[string]string)
		}
		it.Extra[k] = v
	}
	for i, k := range keys {
		if i >= len(values) {
			break
		}
		v, ok := repairText(values[i])
		if !ok {
			return rowResult{reject: fmt.Sprintf("“%s”列含有乱码或无效的文字编码", displayKey(k))}
		}
		if strings.TrimSpace(v) == "" {
			continue
		}
		f := rb.field(k)
		var target *string
		switch f {
		case fID:
			target = &it.SourceID
		case fTitle:
			target = &rawTitle
		case fBody:
			target = &rawBody
		case fTime:
			target = &rawTime
		case fLabel:
			target = &it.Label
		case fDepartment:
			target = &it.Department
		case fSource:
			target = &rowSource
		case fAuthor:
			target = &it.Author
		case fURL:
			target = &it.URL
		}
		switch {
		case f == fNone:
			extra(k, v)
		case f == fChannel:
			if c, ok := NormalizeChannel(v); ok && it.Channel == "" {
				it.Channel = c
			} else {
				extra(k, v)
			}
		case f == fLikes || f == fDislikes:
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), ".0"))
			if err != nil || n < 0 {
				extra(k, v)
				warns = append(warns, fmt.Sprintf("“%s”不是整数：%s", displayKey(k), clip(v, 40)))
				continue
			}
			if f == fLikes {
				it.Likes = n
			} else {
				it.Dislikes = n
			}
		case *target == "":
			*target = v
		default:
			extra(k, v)
		}
	}
	it.SourceID = oneLine(it.SourceID)
	it.Label = oneLine(it.Label)
	it.Department = oneLine(it.Department)
	it.Author = oneLine(it.Author)
	it.URL = oneLine(it.URL)
	it.Title, it.Body, it.Raw = plainTitleBody(rawTitle, rawBody)
	if it.Title == "" && it.Body == "" {
		return rowResult{reject: "缺少标题和正文"}
	}
	switch {
	case rb.source != "":
		it.Source = rb.source
		if rowSource != "" && rowSource != rb.source {
			extra("source", rowSource)
		}
	case rowSource != "":
		it.Source = oneLine(rowSource)
	default:
		it.Source = rb.defSource
	}
	if it.Channel == "" {
		it.Channel = rb.channel
	}
	if rawTime != "" {
		if t, ok := parseTime(rawTime, rb.excelSerial); ok {
			it.Time = t
		} else {
			extra(TimeUnparsedKey, rawTime)
			warns = append(warns, fmt.Sprintf("时间无法识别：%s，已留空（将使用接收时间）", clip(rawTime, 40)))
		}
	}
	return rowResult{item: it, warn: strings.Join(warns, "；")}
}

// TimeUnparsedKey is the Item.Extra key under which a time the reader could not understand is
// kept verbatim; Item.Time is then zero and the app uses the receipt time instead.
const TimeUnparsedKey = "time_unparsed"

// plainTitleBody converts title and body to plain text; when either carried markup, raw keeps
// the original (title and body joined by a newline) for reference.
func plainTitleBody(title, body string) (t, b, raw string) {
	markup := false
	if looksLikeHTML(title) {
		t, markup = oneLine(HTMLToText(title)), true
	} else {
		t = oneLine(title)
	}
	if looksLikeHTML(body) {
		b, markup = HTMLToText(body), true
	} else {
		b = cleanText(body)
	}
	if markup {
		raw = body
		if title != "" && looksLikeHTML(title) {
			raw = title + "\n" + body
		}
	}
	return t, b, raw
}

func displayKey(k string) string {
	k = oneLine(k)
	if k == "" {
		return "（空列名）"
	}
	return clip(k, 30)
}

// clip shortens s to at most n runes for an error message.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
