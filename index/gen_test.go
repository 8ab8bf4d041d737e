package index

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"minyi/domain"
)

// corpusGen produces deterministic, realistic-looking citizen messages for tests and benchmarks:
// complaint templates filled with invented places, estates, shops, numbers and times, so the
// index sees the mix of common phrases and rare names (many unique n-grams) real messages have.
type corpusGen struct {
	r   *rand.Rand
	seg toySeg
}

func newCorpusGen(seed uint64) *corpusGen {
	return &corpusGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), seg: newToySeg()}
}

// genDistricts, genDepts, … are the value pools of the generator.
var (
	genDistricts = []string{"惠城区", "惠阳区", "博罗县", "惠东县", "龙门县", "大亚湾区", "仲恺区", "江北区", "城东区", "高新区"}
	genStreets   = []string{"江北街道", "江南街道", "河南岸街道", "桥东街道", "桥西街道", "龙丰街道", "小金口街道", "水口街道", "陈江街道", "沥林镇", "潼湖镇", "马安镇", "横沥镇", "芦洲镇", "汝湖镇", "三栋镇"}
	genDepts     = []string{"市城管局", "市住建局", "市生态环境局", "市交通运输局", "市公安局交警支队", "市市场监管局", "市教育局", "市卫健委", "市人社局", "市水务局", "市自然资源局", "供电局", "区政府", "街道办"}
	genStatuses  = []string{domain.StatusNew, domain.StatusAccepted, domain.StatusDispatched, domain.StatusHandling, domain.StatusReplied, domain.StatusClosed}
	genChannels  = []string{domain.ChannelHotline, domain.ChannelHotline, domain.ChannelHotline, domain.ChannelBoard, domain.ChannelMailbox, domain.ChannelPetition}
	genNameChars = []rune("金华东方明珠碧桂园翠湖山水龙城锦绣花园御景湾星河丹堤雅居乐时代天骄富力丽港中心新城名苑万科城天安数码君悦府滨江壹号世纪广场鹏辉铂悦融创海伦堡保利阳光城")
	genShopChars = []rune("老王张李刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	genShopKinds = []string{"烧烤店", "大排档", "餐馆", "汽修厂", "KTV", "便利店", "棋牌室", "洗车店", "五金店", "网吧", "健身房", "培训机构"}
	genRoads     = []string{"路", "大道", "街", "巷"}
)

// matter is one kind of complaint with its category, department and phrase banks.
type matter struct {
	category, name, dept string
	titles, sents        []string
}

var genMatters = []matter{
	{"城乡建设", "渣土车", "市城管局", []string{"渣土车夜间扰民", "{road}渣土车撒漏严重", "渣土车超速行驶"}, []string{
		"每天晚上十一点以后渣土车轰隆隆开过，噪音很大", "渣土车沿路撒漏泥土，下雨后道路一片泥泞", "渣土车没有覆盖篷布，尘土飞扬",
		"凌晨两三点还有渣土车鸣笛，严重影响居民休息", "希望相关部门加强夜间巡查，规范渣土车运输"}},
	{"环境保护", "噪音扰民", "市生态环境局", []string{"{shop}噪音扰民", "{estate}附近施工噪音", "夜间施工噪声太大"}, []string{
		"{shop}每天营业到凌晨，音响声音开得很大", "工地晚上十点以后还在打桩施工，噪声扰民", "多次拨打12345热线反映，问题仍未解决",
		"老人小孩晚上根本无法入睡", "请环保部门上门检测噪声是否超标"}},
	{"环境保护", "油烟污染", "市生态环境局", []string{"{shop}油烟直排", "楼下餐馆油烟污染"}, []string{
		"{shop}没有安装油烟净化设施，油烟直接排到居民楼", "家里窗户都不敢打开，衣服晾出去全是油烟味",
		"空气质量很差，PM2.5经常超标", "希望执法部门依法查处"}},
	{"城乡建设", "道路破损", "市住建局", []string{"{road}路面破损", "{road}坑洼积水", "{road}井盖缺失"}, []string{
		"{road}路面坑坑洼洼，电动车经过容易摔倒", "路口井盖缺失已经一个多月，存在严重安全隐患", "下雨天路面积水有半米深，行人无法通行",
		"排水管道堵塞，污水漫到路面上", "请尽快安排维修，消除安全隐患"}},
	{"城乡建设", "物业管理", "市住建局", []string{"{estate}物业乱收费", "{estate}物业不作为", "{estate}停车收费不合理"}, []string{
		"{estate}物业公司擅自提高停车收费标准", "小区电梯经常坏，物业拖着不修", "垃圾清运不及时，楼道里臭气熏天",
		"业主多次找物业沟通，物业态度恶劣", "希望住建部门督促物业整改"}},
	{"劳动和社会保障", "拖欠工资", "市人社局", []string{"{company}拖欠工资", "讨要被拖欠的工资", "农民工工资被拖欠"}, []string{
		"我在{company}工作了八个月，老板拖欠工资{num}元", "工地包工头跑路，几十个农民工的工资没有着落", "多次找公司协商都没有结果",
		"临近春节急需用钱，恳请劳动监察部门帮忙", "公司不给缴纳社保，也不签劳动合同"}},
	{"教育文体", "学位申请", "市教育局", []string{"{estate}孩子入学难", "学位申请问题咨询", "{school}学位不足"}, []string{
		"我家在{estate}买了房，孩子却被分到很远的学校", "{school}学位紧张，很多孩子无法就近入学", "学校周边交通拥堵，上下学时段很危险",
		"校外培训机构收费后跑路", "请教育局合理规划学位"}},
	{"交通运输", "公交线路", "市交通运输局", []string{"建议增加公交线路", "{road}公交站点设置不合理", "公交车班次太少"}, []string{
		"{estate}附近没有公交站，居民出行很不方便", "早高峰公交车要等四十分钟", "公交司机态度恶劣，不等乘客坐稳就开车",
		"建议开通到高铁站的公交专线", "红绿灯时间设置不合理，路口经常拥堵"}},
	{"卫生计生", "医疗服务", "市卫健委", []string{"{hospital}服务态度差", "看病难排队久", "医保报销问题"}, []string{
		"在{hospital}排队挂号等了三个小时", "医生开了很多不必要的检查", "异地医保报销手续太繁琐",
		"社区卫生服务中心缺少常用药", "希望卫健部门加强监管"}},
	{"商贸旅游", "食品安全", "市市场监管局", []string{"{shop}食品安全问题", "外卖吃出异物", "超市销售过期食品"}, []string{
		"在{shop}吃饭后全家腹泻", "超市货架上的牛奶已经过期一周", "无证摊贩在学校门口销售三无食品",
		"商家拒绝退款还辱骂顾客", "请市场监管部门依法查处"}},
	{"城乡建设", "违章建筑", "市自然资源局", []string{"{estate}楼顶违建", "{road}违章搭建", "举报违法建设"}, []string{
		"{estate}顶楼住户在楼顶违规搭建铁皮房", "违建占用消防通道，存在火灾隐患", "村民在基本农田上违法建房",
		"举报多次没有人来处理", "请城管执法部门依法拆除"}},
	{"交通运输", "乱停车", "市公安局交警支队", []string{"{road}乱停车严重", "{estate}门口车辆乱停", "人行道被占用停车"}, []string{
		"{road}两边车辆乱停乱放，消防车都进不来", "人行道上停满了车，行人只能走机动车道", "晚上大货车停在路边，视线很差",
		"建议增设停车位并加强执法", "共享单车乱摆放堵塞盲道"}},
	{"城乡建设", "供水供电", "市水务局", []string{"{estate}经常停水", "{estate}水压不足", "频繁停电"}, []string{
		"{estate}这个月已经停水四次，没有任何通知", "高层住户水压不够，热水器都打不着火", "夏天频繁停电，老人中暑",
		"自来水有黄色沉淀物", "请供水公司尽快排查原因"}},
}

var genFillers = []string{
	"本人是{district}{street}居民", "问题已经持续了{num}个多月", "之前已经反映过{num}次", "恳请领导重视",
	"希望有关部门尽快处理", "谢谢！", "盼复。", "联系电话1{phone}", "事发时间是{date}晚上", "周边群众意见很大",
	"这种情况严重影响了我们的正常生活", "不知道该找哪个部门", "请给一个明确答复", "地址在{district}{road}{num}号附近",
}

func (g *corpusGen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

// name builds an invented proper name of n characters from pool.
func (g *corpusGen) name(pool []rune, n int) string {
	var b strings.Builder
	for range n {
		b.WriteRune(pool[g.r.IntN(len(pool))])
	}
	return b.String()
}

func (g *corpusGen) fill(s string) string {
	for strings.Contains(s, "{") {
		s = strings.NewReplacer(
			"{road}", g.name(genShopChars, 2)+g.pick(genRoads),
			"{estate}", g.name(genNameChars, 2+g.r.IntN(3))+g.pick([]string{"小区", "花园", "苑", "家园", "公馆"}),
			"{shop}", g.name(genShopChars, 2)+g.pick(genShopKinds),
			"{company}", g.name(genNameChars, 2)+g.pick([]string{"公司", "科技有限公司", "建筑工程公司", "电子厂"}),
			"{school}", g.name(genNameChars, 2)+g.pick([]string{"小学", "中学", "实验学校"}),
			"{hospital}", g.name(genNameChars, 2)+g.pick([]string{"医院", "人民医院", "中医院"}),
			"{district}", g.pick(genDistricts),
			"{street}", g.pick(genStreets),
			"{num}", fmt.Sprint(2+g.r.IntN(30)),
			"{phone}", fmt.Sprintf("%010d", g.r.Int64N(1e10)),
			"{date}", fmt.Sprintf("%d月%d日", 1+g.r.IntN(12), 1+g.r.IntN(28)),
		).Replace(s)
	}
	return s
}

// record returns the seq-th generated record, segmented by toySeg like the pipeline would.
func (g *corpusGen) record(seq uint64) *domain.Record {
	m := genMatters[g.r.IntN(len(genMatters))]
	var body strings.Builder
	body.WriteString(g.fill(genFillers[0]))
	body.WriteString("，")
	n := 6 + g.r.IntN(9)
	for i := range n {
		if g.r.IntN(3) == 0 {
			body.WriteString(g.fill(g.pick(genFillers)))
		} else {
			body.WriteString(g.fill(g.pick(m.sents)))
		}
		if i == n-1 {
			body.WriteString("。")
		} else {
			body.WriteString(g.pick([]string{"，", "，", "。", "！", "；"}))
		}
	}
	title := g.fill(g.pick(m.titles))
	t := time.Date(2021, 1, 1, 0, 0, 0, 0, cst).Add(time.Duration(seq)*97*time.Second + time.Duration(g.r.IntN(3600))*time.Second)
	r := &domain.Record{
		ID:  fmt.Sprintf("M%07d", seq),
		Seq: seq,
		Item: domain.Item{
			Source: "12345热线", Channel: g.pick(genChannels), Title: title, Body: body.String(), Time: t,
		},
		Status: g.pick(genStatuses),
	}
	dist := g.pick(genDistricts)
	r.Analysis = domain.Analysis{
		Words: g.seg.Words(title + " " + r.Body), Category: m.category, Matter: m.name,
		Sentiment: g.pick([]string{domain.SentimentNegative, domain.SentimentNegative, domain.SentimentNeutral}),
		District:  dist, Street: g.pick(genStreets), Priority: g.r.IntN(4),
	}
	r.Suggestions = []domain.Suggestion{{Department: m.dept, Confidence: 0.8}}
	if g.r.IntN(2) == 0 {
		r.Department = g.pick(genDepts)
	}
	return r
}

// corpus returns n records with Seq 1..n.
func (g *corpusGen) corpus(n int) []*domain.Record {
	out := make([]*domain.Record, n)
	for i := range out {
		out[i] = g.record(uint64(i + 1))
	}
	return out
}
