package i18n

// Public pages: published grades, pending downgrades, overrides, replies.
func init() {
	add(map[string][2]string{
		"pubx.published_on":      {"公示日期", "Published on"},
		"pubx.latest_evaluation": {"最新评价", "Latest evaluation"},
		"pubx.override":          {"人工调整：监管部门将公示等级设为 %s，至 %s。理由：%s", "Override: the regulator set the public grade to %s until %s. Reason: %s"},
		"pubx.pending":           {"新等级待公示：%s 级，将于 %s 公示（商户可在此之前提出异议）", "New grade pending: %s, to be public on %s (the vendor may object before then)"},
		"pubx.pending_objected":  {"新等级待定：%s 级，商户已提出异议，正由监管部门处理", "New grade pending: %s; the vendor objected and a regulator is deciding"},
		"pubx.more":              {"回应、前身与公示记录", "Reply, earlier registrations and published grades"},
		"pubx.reply":             {"商户回应（经审核）", "The vendor's reply (approved)"},
		"pubx.predecessors":      {"前身登记（其记录计入本商户）", "Earlier registrations (their records count here)"},
		"pubx.history":           {"历次公示等级", "Published grades"},
		"pubx.grade":             {"等级", "Grade"},
		"pubx.score":             {"得分", "Score"},
		"pubx.override_set_on":   {"人工调整日期", "Override set on"},

		// Badge and sticker: which grade they show and since when.
		"pub.badge.line2_published": {"%s 公示", "published %s"},
		"pub.badge.line2_override":  {"%s 监管部门人工调整", "set by the regulator %s"},
		"pub.sticker.override":      {"监管部门于 %s 人工调整", "Set by the regulator on %s"},
		"pub.sticker.override_note": {"公示等级（监管部门人工调整）。扫码查看调整理由和最新信用信息。", "Public grade set by the regulator. Scan for the reason and the latest record."},
	})
}
