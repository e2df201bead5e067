package i18n

// Ingest strictness, CSV text checks, audit checkpoints and the
// transparency page.
func init() {
	add(map[string][2]string{
		"record.duplicate_key": {"同一条记录中该字段出现了不止一次；请只给一次", "appears more than once in the record; give it once"},
		"record.not_utf8":      {"不是有效的 UTF-8 文本（含无法识别的字节或不成对的代理项）", "is not valid UTF-8 text (stray bytes or half a surrogate pair)"},
		"record.name_not_utf8": {"字段名不是有效的 UTF-8 文本", "the field name is not valid UTF-8 text"},
		"csv.not_text":         {"不是有效的 %s 文本；请检查文件编码后重新导出", "is not valid %s text; check the file's encoding and export it again"},
	})
}
