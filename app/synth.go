package app

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/demo"
	"minyi/domain"
)

// Synth generates realistic synthetic messages for benchmarks: Huizhou districts, streets, roads
// and estates, the matters citizens write about, the channels and a few years of times, with
// bodies of about 50–400 characters padded with sentences of the demo set. Item i depends only
// on the seed and i, so any item can be regenerated without keeping the corpus in memory.
type Synth struct {
	seed    uint64
	end     time.Time // the newest possible message time
	span    time.Duration
	fillers []string // sentences of the demo bodies
	titles  []string // demo titles, used now and then as they are
}

// synthEnd is the fixed end of the generated period, so a seed always gives the same corpus.
var synthEnd = time.Date(2025, 12, 31, 23, 59, 0, 0, cst)

// NewSynth returns a generator for seed over the three years before 2026.
func NewSynth(seed int64) (*Synth, error) {
	s := &Synth{seed: uint64(seed), end: synthEnd, span: 3 * 365 * 24 * time.Hour}
	items, err := demo.Items(synthEnd)
	if err != nil {
		return nil, fmt.Errorf("synth vocabulary: %w", err)
	}
	for _, it := range items {
		s.titles = append(s.titles, it.Title)
		for _, sent := range splitSentences(it.Body) {
			if n := utf8.RuneCountInString(sent); n >= 8 && n <= 80 {
				s.fillers = append(s.fillers, sent)
			}
		}
	}
	return s, nil
}

// splitSentences cuts text after 。！？ keeping the mark.
func splitSentences(text string) []string {
	var out []string
	start := 0
	for i, r := range text {
		if r == '。' || r == '！' || r == '？' {
			end := i + utf8.RuneLen(r)
			out = append(out, strings.TrimSpace(text[start:end]))
			start = end
		}
	}
	return out
}

// synthPlace is a 区县 with its 街道/镇.
type synthPlace struct {
	district string
	streets  []string
}

var synthPlaces = []synthPlace{
	{"惠城区", []string{"江北街道", "桥东街道", "桥西街道", "江南街道", "河南岸街道", "龙丰街道", "小金口街道", "水口街道", "横沥镇", "芦洲镇"}},
	{"惠阳区", []string{"淡水街道", "秋长街道", "三和街道", "沙田镇", "新圩镇", "镇隆镇"}},
	{"惠东县", []string{"平山街道", "大岭街道", "吉隆镇", "稔山镇", "巽寮镇"}},
	{"博罗县", []string{"罗阳街道", "园洲镇", "石湾镇", "龙溪街道", "福田镇"}},
	{"龙门县", []string{"龙城街道", "永汉镇", "龙华镇"}},
	{"大亚湾经济技术开发区", []string{"澳头街道", "西区街道", "霞涌街道"}},
	{"仲恺高新区", []string{"陈江街道", "沥林镇", "潼湖镇", "惠环街道"}},
}

var synthRoads = []string{"文昌一路", "文昌二路", "三新南路", "东江一路", "麦地路", "演达大道", "惠州大道", "开城大道", "金山湖路",
	"东江沙路", "下角中路", "环城西路", "云山西路", "长寿路", "鹅岭北路", "惠沙堤路", "水北路", "冰室路", "四环路", "仲恺大道",
	"惠南大道", "人民一路", "白云路", "南堤路", "花边路", "上排路", "江北大道", "河南岸大道", "惠博大道", "淡水人民路"}

var synthEstates = []string{"富力丽港中心", "碧桂园", "金山湖花园", "中信城", "华贸天地", "星河丹堤", "御湖国际", "隆生金山湖",
	"水岸城", "合生愉景湾", "万达广场", "半岛一号", "奥林匹克花园", "东湖花园", "学府花园", "阳光小区", "幸福家园", "翠湖苑"}

// synthMatter is a kind of complaint: title stems and sentences.
type synthMatter struct {
	weight    int
	titles    []string
	sentences []string
}

var synthMatters = []synthMatter{
	{12, []string{"渣土车夜间抛洒", "渣土车超速", "泥头车扰民"}, []string{"每天晚上都有渣土车经过，沿路撒漏泥土，路面全是泥浆。", "泥头车车速很快，没有盖篷布，尘土飞扬。", "渣土车半夜轰鸣，整栋楼都能听到。"}},
	{10, []string{"夜间施工噪音扰民", "广场舞噪音", "商铺喇叭扰民"}, []string{"附近工地晚上十一点以后还在施工，噪音很大。", "小区广场舞音响开得很大，影响老人和小孩休息。", "楼下商铺用大喇叭叫卖，吵闹不堪。"}},
	{8, []string{"流动摊贩占道经营", "商铺占道经营"}, []string{"路口每天傍晚有流动摊贩摆摊，占用人行道。", "商铺把货物摆到人行道上，行人只能走机动车道。"}},
	{7, []string{"烧烤店油烟直排", "餐饮油烟扰民"}, []string{"楼下餐馆油烟直排，家里不敢开窗。", "烧烤摊油烟很大，晚上烟雾弥漫。"}},
	{6, []string{"楼顶违建", "违章搭建"}, []string{"有业主在楼顶私搭乱建，存在安全隐患。", "小区一楼住户违章搭建，占用公共绿地。"}},
	{8, []string{"垃圾清运不及时", "垃圾站臭气"}, []string{"小区垃圾桶满了好几天都没人清运，臭气熏天。", "垃圾站周边污水横流，蚊蝇滋生。"}},
	{6, []string{"暴雨后积水严重", "下水道堵塞"}, []string{"每次下雨路面积水严重，水浸到膝盖。", "下水道堵塞，污水溢出路面。"}},
	{4, []string{"路灯不亮"}, []string{"这条路的路灯坏了一个多月，晚上漆黑一片。"}},
	{5, []string{"路面坑洼", "井盖缺失"}, []string{"路面坑坑洼洼，电动车经过很容易摔倒。", "井盖缺失，已经有人掉下去受伤。"}},
	{6, []string{"乱停车堵路", "车位不足"}, []string{"很多车辆乱停在消防通道上。", "小区车位不够，车辆占用人行道。"}},
	{5, []string{"物业不作为", "物业费上涨"}, []string{"物业费年年涨，服务却越来越差。", "物业公司不处理业主反映的问题。"}},
	{4, []string{"停水无通知", "自来水发黄"}, []string{"小区经常停水也不提前通知。", "自来水发黄，有异味。"}},
	{3, []string{"拖欠工资"}, []string{"工地老板拖欠我们三个月工资，多次讨要无果。"}},
	{3, []string{"加装电梯推进慢"}, []string{"老旧小区加装电梯审批太慢，老人上下楼很困难。"}},
	{3, []string{"遛狗不拴绳"}, []string{"小区很多人遛狗不拴绳，孩子被吓哭。"}},
	{3, []string{"红绿灯时间太短"}, []string{"路口红绿灯时间太短，老人过马路来不及。"}},
	{3, []string{"公交班次少"}, []string{"公交车班次太少，早上等车要半小时。"}},
	{2, []string{"行道树遮挡"}, []string{"行道树很久没修剪，树枝遮挡路灯和交通标志。"}},
	{3, []string{"工地扬尘"}, []string{"工地没有洒水降尘，附近灰尘很大。"}},
	{3, []string{"学位紧张"}, []string{"孩子今年入学，附近学校学位紧张，只能跨区就读。"}},
	{2, []string{"社保转移难"}, []string{"社保转移手续复杂，跑了好几次都没办成。"}},
	{2, []string{"医院挂号难"}, []string{"医院挂号难，排队要一个上午。"}},
}

var synthMatterTotal = func() int {
	t := 0
	for _, m := range synthMatters {
		t += m.weight
	}
	return t
}()

var synthOpeners = []string{"本人是%s%s的居民，", "我住在%s%s附近，", "%s%s这一带，", "%s%s门口，"}
var synthWhen = []string{"从%d月开始，", "每天晚上%d点以后，", "已经持续%d个月了，", "最近%d周以来，"}
var synthImpacts = []string{"严重影响附近居民休息。", "孩子上学很不安全。", "老人出行非常不便。", "周边商户也意见很大。", "存在很大的安全隐患。"}
var synthHistory = []string{"之前打过12345，至今没有解决。", "已经多次反映，一直没有答复。", "社区说不归他们管。", ""}
var synthAsks = []string{"恳请有关部门尽快处理。", "希望相关部门加强监管。", "请领导重视，给居民一个说法。", "希望尽快派人来现场看看。"}

// synthChannels is the channel mix: mostly hotline.
var synthChannels = []struct {
	channel string
	weight  int
}{{domain.ChannelHotline, 55}, {domain.ChannelBoard, 20}, {domain.ChannelMailbox, 10}, {domain.ChannelPetition, 10}, {domain.ChannelMedia, 5}}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// Item returns synthetic message i.
func (s *Synth) Item(i int) domain.Item {
	r := rand.New(rand.NewPCG(s.seed, uint64(i)))
	place := pick(r, synthPlaces)
	street, road, estate := pick(r, place.streets), pick(r, synthRoads), pick(r, synthEstates)
	k := r.IntN(synthMatterTotal)
	m := synthMatters[0]
	for _, mm := range synthMatters {
		if k < mm.weight {
			m = mm
			break
		}
		k -= mm.weight
	}
	var title string
	switch r.IntN(5) {
	case 0:
		title = road + pick(r, m.titles)
	case 1:
		title = "关于" + estate + pick(r, m.titles) + "的投诉"
	case 2:
		title = place.district + street + pick(r, m.titles)
	case 3:
		title = pick(r, s.titles)
	default:
		title = pick(r, m.titles) + "问题"
	}
	var b strings.Builder
	where := []string{street + road, estate}
	fmt.Fprintf(&b, pick(r, synthOpeners), place.district, pick(r, where))
	fmt.Fprintf(&b, pick(r, synthWhen), 1+r.IntN(12))
	b.WriteString(pick(r, m.sentences))
	b.WriteString(pick(r, synthImpacts))
	target := 50 + int(350*r.Float64()*r.Float64()) // most messages are short
	for utf8.RuneCountInString(b.String()) < target-30 && len(s.fillers) > 0 {
		if r.IntN(6) == 0 {
			b.WriteString(pick(r, m.sentences))
		} else {
			b.WriteString(pick(r, s.fillers))
		}
	}
	b.WriteString(pick(r, synthHistory))
	b.WriteString(pick(r, synthAsks))
	if r.IntN(10) == 0 {
		fmt.Fprintf(&b, "联系电话1%d%09d。", 3+r.IntN(7), r.IntN(1_000_000_000))
	}
	ch, c := domain.ChannelOther, r.IntN(100)
	for _, p := range synthChannels {
		if c < p.weight {
			ch = p.channel
			break
		}
		c -= p.weight
	}
	source := demo.SourceName(ch)
	if source == "" {
		source = "网络媒体"
	}
	// Daytime-heavy times over the span, later years somewhat busier.
	age := time.Duration(float64(s.span) * (1 - math.Sqrt(r.Float64())))
	day := s.end.Add(-age)
	hour := 8 + r.IntN(14)
	if r.IntN(5) == 0 {
		hour = r.IntN(24)
	}
	t := time.Date(day.Year(), day.Month(), day.Day(), hour, r.IntN(60), r.IntN(60), 0, cst)
	if t.After(s.end) {
		t = s.end
	}
	author := fmt.Sprintf("A%09d", r.IntN(1_000_000_000))
	return domain.Item{
		Source: source, SourceID: fmt.Sprintf("bench-%d-%d", s.seed, i), Channel: ch,
		Title: title, Body: b.String(), Time: t, Author: author,
	}
}
