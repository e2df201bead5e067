package i18n

func init() {
	add(map[string][2]string{
		"case.grade_objection":     {"对待公示降级的异议", "objection to a pending downgrade"},
		"case.complaint_objection": {"对投诉办理结果的异议", "objection to a complaint outcome"},
		"case.reply":               {"商户公开回应", "public reply"},
		"case.repair":              {"信用修复申请", "credit repair application"},
		"case.already_open":        {"同一事项已有未处理的申请", "there is already an open case on this"},
		"case.no_pending":          {"当前没有待公示的降级", "there is no pending downgrade"},
		"case.already_objected":    {"已对该降级提出过异议", "this downgrade has already been objected to"},
		"case.too_late":            {"已过异议期限", "the deadline for objections has passed"},
		"case.no_complaint":        {"没有找到本单位的这件投诉", "no complaint of yours with this work order number"},
		"case.complaint_open":      {"投诉尚未办结，办结后才能对结果提出异议", "the complaint is still open; object to its outcome once it is closed"},
		"case.no_sanction":         {"没有找到本单位的这项处理决定", "no sanction of yours with this number"},
		"case.not_on_display":      {"该处理决定不在公示中，无需修复", "this sanction is not on display"},
		"case.repair_too_early":    {"最短公示期未满，%s 起可申请", "the minimum display period has not passed; apply from %s"},
		"case.already_decided":     {"该事项已经处理", "this case has already been decided"},
		"case.own_case":            {"不能处理自己提起的事项", "you cannot decide a case you opened"},
		"case.pending_gone":        {"待公示的降级已不存在（可能已在发布运行中撤回）", "the pending downgrade no longer exists (a run may have withdrawn it)"},
		"decision.upheld":          {"维持", "upheld"},
		"decision.amended":         {"变更", "amended"},
		"decision.approved":        {"批准", "approved"},
		"decision.rejected":        {"驳回", "rejected"},
		"decision.open":            {"待处理", "open"},
		"inbox.case_opened":        {"%s 提交了%s", "%s opened a case: %s"},
		"inbox.case_decided":       {"您的%s已有处理结果：%s", "Your %s was decided: %s"},
		"inbox.override":           {"监管部门将您的公示等级设为 %s，至 %s", "The regulator set your public grade to %s until %s"},
		"inbox.pending":            {"您的信用等级将降为 %s，于 %s 公示；此前可提出异议", "Your grade will become %s, public on %s unless you object before then"},
		"inbox.pending_soon":       {"提醒：降为 %s 的等级将于 %s 公示，异议期即将结束", "Reminder: the grade %s becomes public on %s; the objection period is ending"},
		"inbox.case_due":           {"提醒：%s 的%s将于 %s 到期", "Reminder: %s's %s is due on %s"},
		"override.past":            {"截止日期必须晚于今天", "the expiry must be after today"},
	})
}
