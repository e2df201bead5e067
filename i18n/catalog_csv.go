package i18n

func init() {
	add(map[string][2]string{
		"csv.empty":             {"文件是空的", "the file is empty"},
		"csv.no_rows":           {"文件只有表头，没有数据行", "the file has a header but no data rows"},
		"csv.utf16":             {"文件是 UTF-16 编码（Excel“Unicode 文本”）；请另存为“CSV UTF-8（逗号分隔）”", "the file is UTF-16 (Excel \"Unicode text\"); save it as \"CSV UTF-8 (comma delimited)\""},
		"csv.encoding":          {"无法识别文件编码：请保存为 UTF-8 或 GB18030 编码的 CSV 文件", "unrecognised encoding: save the file as CSV in UTF-8 or GB18030"},
		"csv.unreadable":        {"无法读取 CSV：%s", "cannot read the CSV: %s"},
		"csv.unknown_columns":   {"未知的列：%s。允许的列：%s", "unknown columns: %s. Allowed columns: %s"},
		"csv.duplicate_columns": {"重复的列：%s", "duplicate columns: %s"},
		"csv.missing_columns":   {"缺少必需的列：%s", "missing required columns: %s"},
		"csv.quote":             {"从第 %d 行开始的引号没有闭合，其后的内容无法读取；请检查该行的双引号", "the quote opened on line %d is never closed, so the rest of the file cannot be read; check that line's double quotes"},
		"csv.bare_quote":        {"未加引号的单元格中出现了双引号；含双引号的单元格需整体加引号，并把其中的双引号写成两个", "a double quote inside an unquoted cell; quote the whole cell and double the quotes inside it"},
		"csv.field_count":       {"列数与表头不一致", "the number of cells does not match the header"},
		"csv.duplicate_row":     {"与本文件第 %d 行的代码重复", "same code as line %d of this file"},
		"csv.not_found":         {"未找到该记录", "no such record"},
		"csv.too_large":         {"文件过大：上限为 %d MB", "the file is too large: the limit is %d MB"},
	})
}
