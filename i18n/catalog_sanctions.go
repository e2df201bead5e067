package i18n

func init() {
	add(map[string][2]string{
		"sanction.warning":         {"警告", "warning"},
		"sanction.fine":            {"罚款", "fine"},
		"sanction.serious_penalty": {"严重处罚", "serious penalty"},
		"sanction.blacklist":       {"列入严重失信名单", "blacklist entry"},
		"sanction.commendation":    {"表彰", "commendation"},
		"sanctions.title":          {"监管处理与表彰", "Sanctions and commendations"},
		"sanctions.none":           {"没有记录。", "None recorded."},
		"sanctions.until":          {"，公示至 %s", ", on display until %s"},
		"sanctions.on_display":     {"公示中", "on display"},
		"sanctions.expired":        {"公示期已满", "display period over"},
		"sanctions.lifted_on":      {"已于 %s 撤销", "lifted on %s"},
		"sanctions.repaired_on":    {"已于 %s 完成信用修复", "credit repaired on %s"},
		"sanctions.end_how":        {"结束方式", "How it ends"},
		"sanctions.lift":           {"撤销（如复议、诉讼后）", "lift (e.g. after review or court)"},
		"sanctions.repair":         {"信用修复", "credit repair"},
		"sanctions.end":            {"结束公示", "End display"},
		"sanctions.new":            {"新增处理决定或表彰", "New sanction or commendation"},
		"sanctions.kind":           {"类型", "Kind"},
		"sanctions.issued_at":      {"作出日期", "Issued on"},
		"sanctions.display_until":  {"公示截止日期", "On display until"},
		"sanctions.display_hint":   {"留空按类型默认：警告、罚款 1 年，严重处罚 3 年，失信名单和表彰至撤销为止", "Empty: the kind's default — warning and fine 1 year, serious penalty 3 years, blacklist and commendation until lifted"},
		"sanctions.reference":      {"文书编号", "Reference"},
		"sanctions.summary":        {"公开摘要", "Public summary"},
		"sanctions.summary_hint":   {"将在公示页面展示，请勿包含个人信息", "Shown publicly: no personal information"},
		"sanctions.create":         {"保存并重新评价", "Save and re-evaluate"},
		"done.sanction_created":    {"已保存，商户将在一秒内重新评价。", "Saved; the vendor is re-evaluated within a second."},
		"done.sanction_ended":      {"已结束公示，商户将重新评价。", "Display ended; the vendor is re-evaluated."},
	})
}
