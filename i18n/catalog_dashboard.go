package i18n

func init() {
	add(map[string][2]string{
		"nav.dashboard":     {"概览", "Dashboard"},
		"dash.title":        {"监管概览", "Regulator dashboard"},
		"dash.grades":       {"公示等级分布及较上次发布的变化", "Published grades and their change since the previous run"},
		"dash.grade":        {"等级", "Grade"},
		"dash.now":          {"当前", "Now"},
		"dash.before":       {"上次发布后", "After the previous run"},
		"dash.change":       {"变化", "Change"},
		"dash.rates":        {"热线服务指标（按月）", "Hotline service rates by month"},
		"dash.month":        {"月份", "Month"},
		"dash.ontime":       {"按期办结率", "On-time completion rate"},
		"dash.callback":     {"回访率", "Callback rate"},
		"dash.satisfaction": {"满意率", "Satisfaction rate"},
		"dash.oldest":       {"待处理时间最长的事项", "Oldest cases in the review queue"},
		"dash.to_queue":     {"打开审查队列", "Open the review queue"},
	})
}
