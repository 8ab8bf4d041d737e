package nlp

import "strings"

// matterRule names a finer urban-management matter type and the phrases that point to it.
type matterRule struct {
	matter  string
	phrases []string
}

// matterRules are checked in order; the matter with the most phrase hits wins (title hits
// count twice), earlier rules on ties.
var matterRules = []matterRule{
	{"渣土车", []string{"渣土车", "泥头车", "渣土", "运泥车", "撒漏"}},
	{"违法建设", []string{"违法建设", "违建", "违章建筑", "违章搭建", "私搭乱建", "乱搭乱建", "两违", "加建", "搭建"}},
	{"占道经营", []string{"占道经营", "流动摊贩", "乱摆卖", "摆摊", "占道", "小贩"}},
	{"餐饮油烟", []string{"餐饮油烟", "油烟", "排烟"}},
	{"噪音扰民", []string{"噪音", "噪声", "扰民", "夜间施工", "广场舞", "吵闹", "喇叭"}},
	{"户外广告招牌", []string{"户外广告", "广告招牌", "招牌", "广告牌", "横幅", "牛皮癣", "小广告"}},
	{"垃圾分类", []string{"垃圾分类", "垃圾清运", "垃圾桶", "垃圾站", "垃圾中转站", "生活垃圾", "垃圾堆", "垃圾"}},
	{"工地扬尘", []string{"工地扬尘", "扬尘", "粉尘", "灰尘"}},
	{"固废倾倒", []string{"固废", "偷倒", "乱倒", "倾倒", "建筑垃圾"}},
	{"井盖/道路破损", []string{"井盖", "道路破损", "路面破损", "坑洼", "坑坑洼洼", "路面塌陷", "人行道破损"}},
	{"绿化", []string{"绿化", "树木", "修剪", "砍伐", "毁绿", "绿地", "树枝", "草坪"}},
	{"路灯", []string{"路灯", "照明"}},
	{"停车", []string{"停车", "乱停", "违停", "车位", "占用车位"}},
	{"物业", []string{"物业", "业委会", "业主委员会", "物业费", "小区管理"}},
	{"供水", []string{"供水", "停水", "水压", "自来水", "水质"}},
	{"排水内涝", []string{"排水", "内涝", "积水", "下水道", "水浸", "污水", "化粪池", "堵塞"}},
	{"供电", []string{"停电", "供电", "电压", "电线"}},
	{"燃气", []string{"燃气", "天然气", "煤气"}},
	{"交通信号", []string{"红绿灯", "信号灯", "斑马线"}},
	{"公交出行", []string{"公交", "地铁", "公交站", "线路"}},
	{"犬只管理", []string{"犬只", "养狗", "遛狗", "流浪狗", "狗"}},
	{"拆迁征收", []string{"拆迁", "征收", "征地", "补偿款", "安置"}},
	{"欠薪", []string{"欠薪", "拖欠工资", "讨薪", "工资"}},
	{"加装电梯", []string{"加装电梯"}},
}

// matterOf applies matterRules to a normalised title and text; "" when nothing matches.
func matterOf(title, text string) string {
	best, bestScore := "", 0
	for _, r := range matterRules {
		score := 0
		for _, p := range r.phrases {
			if strings.Contains(text, p) {
				score++
				if strings.Contains(title, p) {
					score++
				}
			}
		}
		if score > bestScore {
			best, bestScore = r.matter, score
		}
	}
	return best
}
