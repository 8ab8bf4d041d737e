package nlp

import "strings"

// urgencyCue is a phrase that raises a message's priority, with its weight.
type urgencyCue struct {
	phrase string
	weight int
}

// urgencyCues: 3 = danger to life now, 2 = a hazard, 1 = escalation or vulnerable people.
// Priority is the sum capped at 3.
var urgencyCues = []urgencyCue{
	{"火灾", 3}, {"起火", 3}, {"着火", 3}, {"燃气泄漏", 3}, {"煤气泄漏", 3}, {"天然气泄漏", 3}, {"漏气", 2},
	{"坍塌", 3}, {"倒塌", 3}, {"塌方", 3}, {"山体滑坡", 3}, {"溺水", 3}, {"触电", 3}, {"漏电", 3},
	{"爆炸", 3}, {"中毒", 3}, {"生命危险", 3}, {"人身安全", 2}, {"危及生命", 3}, {"伤亡", 3}, {"死亡", 3},
	{"安全隐患", 2}, {"火灾隐患", 2}, {"危房", 2}, {"高空抛物", 2}, {"内涝", 2}, {"水浸", 1}, {"危险", 2},
	{"随时可能", 2}, {"摇摇欲坠", 2}, {"井盖缺失", 2}, {"掉下去", 2},
	{"多次反映", 1}, {"多次投诉", 1}, {"反复投诉", 1}, {"多次举报", 1}, {"一直没有解决", 1}, {"至今未解决", 1},
	{"媒体曝光", 1}, {"曝光", 1}, {"群体", 1}, {"集体上访", 2}, {"上访", 1}, {"无人处理", 1}, {"无人管理", 1},
	{"无人问津", 1}, {"置之不理", 1}, {"推诿", 1}, {"紧急", 1}, {"老人", 1}, {"老年人", 1}, {"儿童", 1},
	{"小孩", 1}, {"孩子", 1}, {"学生", 1}, {"孕妇", 1}, {"残疾人", 1}, {"拖欠工资", 1}, {"欠薪", 1},
}

// urgency finds the cues in normalised text and scores the priority 0…3. A cue inside a longer
// one (隐患 in 安全隐患) is not counted twice.
func urgency(text string) ([]string, int) {
	var cues []string
	sum := 0
	for _, c := range urgencyCues {
		if !strings.Contains(text, c.phrase) {
			continue
		}
		inside := false
		for _, o := range urgencyCues {
			if o.phrase != c.phrase && strings.Contains(o.phrase, c.phrase) && strings.Contains(text, o.phrase) {
				inside = true
				break
			}
		}
		if inside {
			continue
		}
		cues = append(cues, c.phrase)
		sum += c.weight
	}
	return cues, min(sum, 3)
}
