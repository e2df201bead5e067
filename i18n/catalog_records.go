package i18n

func init() {
	add(map[string][2]string{
		"field.rfc3339":               {"时间须为带时区的 RFC 3339 格式，如 2026-11-01T09:00:00+08:00", "must be an RFC 3339 time with an offset, e.g. 2026-11-01T09:00:00+08:00"},
		"record.unknown_vendor":       {"未登记的商户", "unknown vendor"},
		"record.closed_needs":         {"已办结的投诉必须填写 %s", "a closed complaint needs %s"},
		"record.open_has":             {"未办结的投诉不应有 %s", "an open complaint has no %s"},
		"record.before_received":      {"不能早于受理时间 received_at", "must not be earlier than received_at"},
		"record.month":                {"月份格式应为 YYYY-MM", "a month is written YYYY-MM"},
		"record.orders":               {"订单数应为 0 到 %d 之间的整数", "orders must be a whole number from 0 to %d"},
		"record.unknown_field":        {"未知字段", "unknown field"},
		"record.wrong_type":           {"类型错误：应为%s", "wrong type: expected %s"},
		"record.not_object":           {"每条记录必须是 JSON 对象", "each record must be a JSON object"},
		"sanction.until_before_issue": {"展示截止日期不能早于作出日期", "display_until must not be earlier than issued_at"},
		"predecessor.title":           {"前身登记", "Earlier registrations"},
		"predecessor.explain":         {"同一经营者注销后以新代码重新登记时，把旧代码关联为前身：旧代码三年内的记录计入本商户，关联关系公开。", "When a business re-registers under a new code to shed its record, link the old code as its predecessor: the old code's records within the window count for this vendor, and the link is public."},
		"predecessor.uscc":            {"前身的统一社会信用代码", "Predecessor's USCC"},
		"predecessor.reason":          {"依据（将记入审计日志）", "Grounds (written to the audit log)"},
		"predecessor.link":            {"关联", "Link"},
		"done.predecessor_linked":     {"已关联前身，商户将重新评价。", "The predecessor is linked; the vendor is re-evaluated."},
		"predecessor.self":            {"不能把商户关联为自己的前身", "a vendor cannot be its own predecessor"},
		"predecessor.cycle":           {"该商户已是对方的前身，不能相互关联", "this vendor is already behind that one: links cannot go in a circle"},
		"predecessor.taken":           {"该代码已被关联为另一家商户的前身", "this code is already linked as another vendor's predecessor"},
		"token.name":                  {"名称为 1–64 个字母、数字、点、下划线或连字符", "a name is 1–64 letters, digits, dots, underscores or hyphens"},
		"token.duplicate":             {"已有同名令牌", "a token with this name exists"},
		"token.scope":                 {"权限范围只能是 ingest", "the only scope is ingest"},
	})
	// Labels of the record files' columns, which import previews name in
	// their row errors ("field." + column).
	add(map[string][2]string{
		"field.work_order_no":    {"工单号", "Work order number"},
		"field.vendor_uscc":      {"商户统一社会信用代码", "Vendor's USCC"},
		"field.received_at":      {"受理时间", "Received at"},
		"field.channel":          {"受理渠道", "Channel"},
		"field.category":         {"服务类别", "Service category"},
		"field.severity":         {"严重程度", "Severity"},
		"field.outcome":          {"办理结果", "Outcome"},
		"field.deadline_at":      {"办理时限", "Deadline"},
		"field.closed_at":        {"办结时间", "Closed at"},
		"field.service_order_no": {"服务订单号", "Service order number"},
		"field.summary":          {"摘要", "Summary"},
		"field.called_at":        {"回访时间", "Called at"},
		"field.result":           {"回访结果", "Callback result"},
		"field.month":            {"月份", "Month"},
		"field.orders":           {"订单数", "Orders"},
		"field.source":           {"数据来源", "Source"},
		"field.issued_at":        {"作出日期", "Issued on"},
		"field.display_until":    {"展示截止日期", "Displayed until"},
		"field.reference":        {"文号", "Reference"},
	})
}
