package i18n

// Citizen-facing pages: the methodology's state of publication, search as
// citizens type it, the 8890 hotline, copy-link and print.
func init() {
	add(map[string][2]string{
		// Methodology: where publication stands, read from the database
		// and the scheduler's configuration.
		"pub.method.state":               {"公示进度", "Where publication stands"},
		"pub.method.latest_run":          {"最近一次公示", "Latest publication run"},
		"pub.method.latest_run_value":    {"%s（%s 期，%d 家商户）", "%s (period %s, vendors: %d)"},
		"pub.method.latest_run_none":     {"尚未公示。第一次公示前，各页面显示最新评价结果，并标注“尚未公示”。", "None yet. Until the first publication run, pages show the latest evaluation, marked “not yet published”."},
		"pub.method.next_run":            {"下一次公示", "Next publication run"},
		"pub.method.next_run_value":      {"%s（每月 %d 日 %s，北京时间）", "%s (day %d of each month at %s, Beijing time)"},
		"pub.method.next_run_first":      {"第一次公示由监管部门决定启动；此后每月 %d 日 %s（北京时间）自动公示。", "The first publication run is started by the regulator; after it, runs are on day %d of each month at %s (Beijing time)."},
		"pub.method.next_run_cron":       {"由运维人员的计划任务（cron）按月启动，本站服务器不自行安排。", "Started monthly by the operators' scheduled job (cron), not by this server."},
		"pub.method.rules_in_force":      {"现行评分规则", "Rules in force"},
		"pub.method.rules_since":         {"%s，自 %s 起施行", "%s, in force since %s"},
		"pub.method.rules_since_builtin": {"%s（内置模型），自 %s 起施行", "%s (the built-in model), in force since %s"},
		"pub.method.pub_cycle":           {"系统每天评价一次，新的热线记录或处罚到达后随即重新评价；等级在每月的公示中发布，各页面显示最近一次公示的等级。", "Vendors are evaluated daily and again whenever a hotline record or a sanction arrives; grades are published at the monthly publication run, and pages show the grade of the latest one."},
		"pub.method.cmp_points":          {"经核实的投诉：一般计 %s、较重计 %s、重大计 %s；属实按 %s、部分属实按 %s、调解解决按 %s 折算；超期办结乘以 %s；每过 %s 天分量减半。", "Verified complaints: general counts %s, serious %s, major %s; substantiated × %s, partially substantiated × %s, mediated × %s; closed late × %s; weight halves every %s days."},
		"pub.method.cmp_rate":            {"按每 %s 单服务量折算投诉率；记录少时向全市基准 %s 靠拢，相当于已有 %s 单服务；投诉率每增加 %s，本项分数减半。", "Complaints are counted per %s orders; while records are few the rate is pulled toward the city benchmark of %s, as if the vendor already had %s orders; each extra %s halves these points."},
		"pub.method.cmp_free":            {"未核实、撤回或不属商户责任的投诉不扣分。", "Unverified, withdrawn or misrouted complaints cost nothing."},
		// Reporting a problem, sharing a profile, printing a sticker.
		"pub.help.title":           {"有问题，请拨打 8890", "Something wrong? Call 8890"},
		"pub.help.report":          {"对这家商户的服务不满意，或发现本页信息有误，请拨打天津 8890 便民服务热线：", "If you have a problem with this vendor's service, or something on this page is wrong, call Tianjin's 8890 service hotline:"},
		"pub.help.footer":          {"有问题请拨打", "Report a problem: call"},
		"pub.help.link":            {"本页链接（可选中复制）", "Link to this page (select to copy)"},
		"pub.help.copy":            {"复制链接", "Copy link"},
		"pub.help.copied":          {"链接已复制。", "Link copied."},
		"pub.help.copy_failed":     {"无法自动复制：链接已选中，请按 Ctrl+C 复制（手机上长按）。", "Could not copy automatically: the link is selected, press Ctrl+C (on a phone, long-press)."},
		"pub.sticker.hotline":      {"有问题请拨打", "Problems? Call"},
		"pub.sticker.printed_on":   {"打印日期 %s", "Printed on %s"},
		"pub.sticker.print_button": {"打印贴纸", "Print the sticker"},

		// Punctuation that differs between the languages, for text put
		// together in code.
		"punct.list":  {"、", ", "},
		"punct.colon": {"：", ": "},
		"punct.paren": {"（%s）", " (%s)"},

		// Search: a category named in the query, filters in force.
		"pub.search.category_from_q": {"“%s”是服务类别，已按“%s”筛选；名称中的其余字词照常查找。", "“%s” names a service: showing vendors offering %s; any other words are looked for in names."},
		"pub.search.browse_total":    {"全部商户，共 %d 家", "All vendors: %d"},
		"pub.chip.sep":               {"：", ": "},
		"pub.chip.remove":            {"取消“%s”筛选", "Remove the filter “%s”"},
		"pub.chips":                  {"当前筛选", "Filters in force"},
		"pub.method.cmp_other":       {"未核实的投诉按 %s、撤回的按 %s、不属商户责任的按 %s 折算。", "Unverified complaints count × %s, withdrawn × %s, not the vendor's responsibility × %s."},
	})
}
