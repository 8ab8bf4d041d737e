package nlp

import (
	"strings"

	"minyi/domain"
)

// The sentiment model is trained on reviews, where thanks and polite words mean satisfaction. A
// citizen's complaint usually opens politely ("您好", "麻烦", "谢谢") and the model reads it as
// positive; PR staff then under-count anger. In government messages a message is positive when it
// praises or thanks for something done; one about a matter (渣土车, 违建 …) or with complaint
// words that the model calls positive without praising is shown as 中性, or 负面 when it carries
// urgency cues.

// praiseCues are words that make a message positive in this domain.
var praiseCues = []string{"表扬", "感谢", "点赞", "好评", "致谢", "锦旗", "辛苦了", "非常满意", "很满意", "赞扬", "称赞", "为民办实事"}

// complaintCues are words of a complaint or a report of a problem.
var complaintCues = []string{"投诉", "反映", "举报", "扰民", "违规", "违法", "违建", "乱搭", "乱倒", "偷倒", "脏", "臭", "危险",
	"超速", "污染", "不处理", "没人管", "无人管", "无人处理", "严重", "影响", "查处", "整治", "太多", "太快", "太吵", "噪音", "扬尘",
	"油烟", "抛洒", "遗撒", "摔伤", "隐患", "堵", "坑洼", "破损", "不作为", "拖延"}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// complaintAware corrects a positive reading of a complaint (see above). text is title+"\n"+body.
func complaintAware(an *domain.Analysis, text string) {
	if an.Sentiment != domain.SentimentPositive || containsAny(text, praiseCues) {
		return
	}
	if an.Matter == "" && len(an.UrgencyCues) == 0 && !containsAny(text, complaintCues) {
		return
	}
	if len(an.UrgencyCues) > 0 {
		an.Sentiment = domain.SentimentNegative
		return
	}
	an.Sentiment = domain.SentimentNeutral
}
