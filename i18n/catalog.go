package i18n

// catalog maps a key to its Chinese and English formats. Files add their
// sections with add() from init.
var catalog = map[string][2]string{}

func add(section map[string][2]string) {
	for k, v := range section {
		if _, dup := catalog[k]; dup {
			panic("i18n: duplicate key " + k)
		}
		catalog[k] = v
	}
}

func init() {
	add(map[string][2]string{
		// USCC checks
		"uscc.length":                 {"统一社会信用代码应为 18 位，现为 %d 位", "a unified social credit code has 18 characters, this has %d"},
		"uscc.charset":                {"第 %d 位“%s”不是统一社会信用代码允许的字符（数字和除 I、O、S、V、Z 外的大写字母）", "character %d (%q) is not allowed in a USCC (digits and capital letters except I, O, S, V, Z)"},
		"uscc.structure":              {"第 %d 位应为数字（第 3–8 位是行政区划代码）", "character %d must be a digit (characters 3–8 are the administrative division code)"},
		"uscc.check":                  {"校验码错误：最后一位是“%s”，按 GB 32100-2015 应为“%s”", "wrong check character: the last character is %q, GB 32100-2015 gives %q"},
		"uscc.check_confirmable":      {"校验码错误：最后一位是“%s”，按 GB 32100-2015 应为“%s”。请核对营业执照；若执照上确为此代码（部分早期试点代码不符合校验规则），请由监管人员确认后登记", "wrong check character: the last character is %q, GB 32100-2015 gives %q. Check the business licence; if the licence really shows this code (some early pilot codes fail the check), a regulator must confirm it"},
		"uscc.confirm_regulator_only": {"只有监管人员可以确认未通过校验的代码", "only a regulator can confirm a code that fails the check"},
		// generic field messages
		"field.required":        {"必填", "required"},
		"field.required_list":   {"至少选择一项", "choose at least one"},
		"field.too_short":       {"至少 %s 个字符", "at least %s characters"},
		"field.too_long":        {"不能超过 %v 个字符", "at most %v characters"},
		"field.too_many":        {"最多 %s 项", "at most %s entries"},
		"field.printable":       {"含有不可打印的控制字符", "contains control characters"},
		"input.phone":           {"电话只能包含数字、空格、+ 和 -", "a phone number may contain only digits, spaces, + and -"},
		"input.district":        {"未知的区代码“%v”（应为天津 16 个区的 GB/T 2260 代码，如 120101）", "unknown district code %q (use one of Tianjin's 16 GB/T 2260 codes, e.g. 120101)"},
		"input.category":        {"未知的服务类别“%v”", "unknown service category %q"},
		"field.oneof":           {"应为以下之一：%s", "must be one of: %s"},
		"field.invalid":         {"格式不正确", "invalid value"},
		"field.time":            {"时间格式不正确（应为 YYYY-MM-DD、YYYY-MM-DD HH:MM 或带时区的 RFC 3339）", "not a valid time (use YYYY-MM-DD, YYYY-MM-DD HH:MM or RFC 3339 with an offset)"},
		"field.date":            {"日期格式不正确（应为 YYYY-MM-DD）", "not a valid date (use YYYY-MM-DD)"},
		"field.future":          {"不能晚于当前时间", "must not be in the future"},
		"field.username":        {"用户名为 3–64 位字母、数字、点、下划线或连字符，以字母或数字开头", "a username is 3–64 letters, digits, dots, underscores or hyphens, starting with a letter or digit"},
		"field.reason_required": {"请写明理由", "a reason is required"},
		// vendors, orgs, users
		"vendor.duplicate":       {"该代码已登记（%s）", "this code is already registered (%s)"},
		"vendor.licence_expired": {"执照有效期已过；只有迁移旧记录（同时填写登记日期）时才可填写过去的日期", "the licence has expired; a past date is accepted only when migrating an older record together with registered_at"},
		"org.duplicate":          {"该代码已登记为组织（%s）", "this code is already registered as an organisation (%s)"},
		"user.password_short":    {"密码至少 %d 个字符", "a password has at least %d characters"},
		"user.password_long":     {"密码最多 %d 个字节", "a password has at most %d bytes"},
		"user.org_unknown":       {"未找到该协会/组织的统一社会信用代码", "no organisation with this USCC"},
		"user.vendor_unknown":    {"未找到该商户的统一社会信用代码", "no vendor with this USCC"},
		"user.duplicate":         {"用户名已被使用", "this username is taken"},
	})
}
