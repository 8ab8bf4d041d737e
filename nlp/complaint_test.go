package nlp

import (
	"testing"

	"minyi/domain"
)

func TestComplaintAware(t *testing.T) {
	tests := []struct {
		name  string
		in    domain.Analysis
		text  string
		wantS string
	}{
		{"polite complaint about a matter", domain.Analysis{Sentiment: domain.SentimentPositive, Matter: "渣土车"},
			"演达大道每晚渣土掉一地\n您好，早上骑车很不方便，谢谢", domain.SentimentNeutral},
		{"complaint words without a matter", domain.Analysis{Sentiment: domain.SentimentPositive},
			"金山大道夜里车太多太快\n麻烦相关部门管一管", domain.SentimentNeutral},
		{"complaint with urgency cues", domain.Analysis{Sentiment: domain.SentimentPositive, UrgencyCues: []string{"安全隐患"}},
			"井盖缺失\n有安全隐患，请尽快处理", domain.SentimentNegative},
		{"praise stays positive", domain.Analysis{Sentiment: domain.SentimentPositive, Matter: "违法建设"},
			"表扬惠阳违建整治\n违建拆除后环境好多了", domain.SentimentPositive},
		{"positive without complaint stays", domain.Analysis{Sentiment: domain.SentimentPositive},
			"金山湖公园改造得很漂亮\n周末带孩子去玩", domain.SentimentPositive},
		{"negative untouched", domain.Analysis{Sentiment: domain.SentimentNegative, Matter: "噪音扰民"},
			"噪音\n太吵了", domain.SentimentNegative},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			an := tt.in
			complaintAware(&an, tt.text)
			if an.Sentiment != tt.wantS {
				t.Fatalf("sentiment = %s, want %s", an.Sentiment, tt.wantS)
			}
		})
	}
}

// TestAnalyzeDoesNotCallComplaintsPositive runs the real analyzer on complaints from the demo set
// that the review-trained model alone read as positive.
func TestAnalyzeDoesNotCallComplaintsPositive(t *testing.T) {
	a := mustAnalyzer(t)
	for _, m := range [][2]string{
		{"演达大道每晚渣土掉一地，早上骑车很危险", "演达大道从江北往三新北路方向，晚上渣土车撒了一路泥土，早上送小孩上学电动车打滑，已经一个多星期了。希望查处源头工地。"},
		{"惠阳淡水开城大道渣土车夜间超速", "您好，开城大道晚上十一点以后渣土车很多，车速很快，还闯红灯，附近居民很担心安全，麻烦管一管，谢谢。"},
	} {
		if an := a.Analyze(m[0], m[1]); an.Sentiment == domain.SentimentPositive {
			t.Errorf("%s: read as 正面 (P(负面)=%.2f)", m[0], an.SentimentProb)
		}
	}
}
