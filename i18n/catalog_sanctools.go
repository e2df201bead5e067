package i18n

// Sanctions as Credit China shows them (document number and issuing
// authority), the vendor's sanctions and credit repair, and the
// regulator's publication tools.
func init() {
	add(map[string][2]string{
		// Sanctions: the issuing authority.
		"sanctions.authority":        {"作出决定机关", "Issuing authority"},
		"sanctions.authority_hint":   {"如“天津市市场监督管理委员会”；默认填入最近一次记录的机关", "e.g. 天津市市场监督管理委员会; the authority of the latest recorded decision is filled in"},
		"sanctions.reference_hint":   {"决定书的文书编号，如“津市监罚〔2025〕12号”", "The decision's document number, e.g. 津市监罚〔2025〕12号"},
		"sanctions.doc":              {"文书编号 %s", "Document no. %s"},
		"sanctions.by":               {"作出机关：%s", "Issued by %s"},
		"sanctions.authority_none":   {"未记录作出机关", "issuing authority not recorded"},
		"sanctions.not_recorded":     {"未记录", "not recorded"},
		"pub.black.reference":        {"决定文书号", "Document no."},
		"pub.black.authority":        {"作出决定机关", "Issuing authority"},
		"sanctions.repair_open":      {"可申请信用修复", "credit repair may be applied for"},
		"sanctions.repair_from":      {"%s 起可申请信用修复", "credit repair may be applied for from %s"},
		"due.my_sanctions":           {"处理决定与表彰", "Sanctions and commendations"},
		"due.repair_rule":            {"信用修复须在最短公示期满后申请：警告 3 个月，罚款 6 个月，严重处罚和列入严重失信名单 12 个月，自作出日期起算。", "Credit repair can be applied for once the minimum display has passed: warning 3 months, fine 6 months, serious penalty and blacklist entry 12 months, counted from the date of the decision."},
		"due.repair_option":          {"%s（文书编号 %s，%s 作出）", "%s (document no. %s, issued %s)"},
		"field.authority":            {"作出决定机关", "Issuing authority"},
		"form.choose":                {"请从列表中选择一项", "choose one of the options in the list"},
		"inbox.authority_unknown":    {"作出机关未记录", "issuing authority not recorded"},
		"inbox.sanction":             {"您的信用记录新增一项%s（文书编号 %s，%s）。最短公示期满后，自 %s 起可申请信用修复。", "A %s was recorded against you (document no. %s, %s). Credit repair can be applied for from %s, when its minimum display has passed."},
		"inbox.sanction_updated":     {"您的一项%s已更新（文书编号 %s，%s）；自 %s 起可申请信用修复。", "Your %s was updated (document no. %s, %s); credit repair can be applied for from %s."},
		"inbox.commendation":         {"您获得一项表彰（文书编号 %s，%s）。", "You received a commendation (document no. %s, %s)."},
		"inbox.commendation_updated": {"您的一项表彰已更新（文书编号 %s，%s）。", "Your commendation was updated (document no. %s, %s)."},
	})
}
