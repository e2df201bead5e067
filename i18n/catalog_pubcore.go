package i18n

// One headline per profile, publication history, figures that add up, the
// out-of-cycle publication of a blacklisting.
func init() {
	add(map[string][2]string{
		// Why the grade in force is not the grade of the score alone (grade_note).
		"pubcore.note.a_requirements": {"分数已达 A 级线，但 A 级还要求足够的回访记录、登记满一年且近一年没有经核实的较重或重大投诉，因此评为 B 级。", "The score reaches grade A, but A also needs a track record (enough callbacks, a year registered, no verified serious complaint in the last year), so the grade is B."},
		"pubcore.note.cap_C":          {"分数高于 C 级线，但因经营状态异常或受到严重处罚，等级最高为 C 级。", "The score is above grade C, but the vendor's status or a serious penalty caps the grade at C."},
		"pubcore.note.cap_D":          {"已列入严重失信名单，无论分数高低，等级均为 D 级。", "The vendor is on the black list, so the grade is D whatever the score."},
		"pubcore.note.held":           {"分数已达更高等级，但升级须在连续两次公示中都稳定高于该等级分数线，目前仍保持原等级。", "The score reaches a higher grade, but an upgrade is published only when the score stays clearly above that grade's line at two publications in a row, so the grade stays for now."},
		"pubcore.note.review":         {"该等级由监管部门在处理商户异议后决定。", "A regulator set this grade when deciding on the vendor's objection."},
		"pubcore.grade_since":         {"本等级始于", "This grade since"},
		"pubcore.hit.published":       {"%s 公示", "published %s"},

		// The latest evaluation, in words.
		"pubcore.eval.title":        {"最新评价", "Latest evaluation"},
		"pubcore.eval.link":         {"最新评价", "Latest evaluation"},
		"pubcore.eval.summary":      {"评价日期 %s（评价不等于公示）。", "Evaluated on %s (an evaluation, not a publication)."},
		"pubcore.eval.provisional":  {"该评价尚未经过公示程序，上方显示的就是这一评价；首次公示后以公示等级为准。", "This evaluation has not been published yet; it is what is shown above until the first publication."},
		"pubcore.eval.override":     {"公示等级目前由监管部门人工调整（见上方说明）；调整结束后恢复按公示规则确定的等级。", "The public grade is currently set by the regulator (see above); when that ends, the grade the publication rules give applies again."},
		"pubcore.eval.pending":      {"这一变化正在公示前的异议期内，见上方说明。", "This change is waiting for its objection period (see above)."},
		"pubcore.eval.same":         {"与公示等级一致。", "It agrees with the published grade."},
		"pubcore.eval.history_note": {"系统保存的历次评价；公示等级见“历次公示等级”。", "Every evaluation the system stored; the public grade is the one in the publication history."},
		"pubcore.eval.differs":      {"公示等级只在每月公示时按公示规则更新：降级先给商户 %s 天提出异议，升级须连续两次公示都稳定达标；列入严重失信名单则立即公示。", "The published grade changes only at the monthly publication: a downgrade first gives the vendor %s days to object, and an upgrade must hold at two publications in a row; a blacklisting is published at once."},

		// Publication history.
		"pubcore.history.cause":         {"公示原因", "Why"},
		"pubcore.cause.run":             {"每月公示", "monthly publication"},
		"pubcore.cause.matured":         {"异议期满公示", "objection period ended"},
		"pubcore.cause.review":          {"异议处理决定", "decision on an objection"},
		"pubcore.cause.blacklist":       {"列入严重失信名单，立即公示", "blacklisted: published at once"},
		"pubcore.cause.blacklist_ref":   {"列入严重失信名单（%s），立即公示", "blacklisted (%s): published at once"},
		"pubcore.cause.override":        {"监管部门人工调整", "set by the regulator"},
		"pubcore.cause.override_reason": {"监管部门人工调整：%s", "set by the regulator: %s"},
		"inbox.published_out_of_cycle":  {"因列入严重失信名单（%s），您的公示等级已立即更新为 %s", "Because of the blacklist entry %s, your public grade is now %s"},
		"inbox.objection_moot":          {"您对降为 %s 的异议已无需处理：该待公示降级已撤回", "Your objection to the grade %s needs no decision: that pending downgrade was withdrawn"},
		"decision.withdrawn":            {"已撤回（待公示降级已不存在）", "withdrawn (the pending downgrade no longer exists)"},

		// Complaint figures that add up.
		"pubcore.stat.merged":           {"件为同一服务单的重复投诉，合并计算", "duplicates about the same service order, counted once"},
		"pubcore.stat.caption":          {"按受理年份统计。同一服务单的多次投诉只算一次（“合并”）；“计入”是经核实、计入评分的投诉（含逾期仍未办结的）。各年合计即上方数字。", "By year received. Several complaints about the same service order count once (“merged”); “counted” are complaints verified and counted in the score (including ones still open past their deadline). The totals are the figures above."},
		"pubcore.col.merged":            {"合并", "Merged"},
		"pubcore.col.total":             {"合计", "Total"},
		"pubcore.fig.complaints_merged": {"投诉 %d 件（其中 %d 件为同一服务单的重复投诉），核实计入 %d 件", "%d complaints (%d of them duplicates about the same service order), %d verified and counted"},
	})
}
