package registry

import (
	"strings"
	"testing"
	"time"
)

func TestMaskPersonalNumbers(t *testing.T) {
	const m, l, id = MaskedMobile, MaskedLandline, MaskedIDCard
	tests := []struct{ name, in, want string }{
		// Mobile numbers in the spellings people type.
		{"glued to 电话", "客户电话13812345678，已联系", "客户电话" + m + "，已联系"},
		{"spaces and hyphens", "电话 138 1234 5678 或 139-8765-4321", "电话 " + m + " 或 " + m},
		{"dots", "回电138.1234.5678即可", "回电" + m + "即可"},
		{"full-width", "全角１３８１２３４５６７８", "全角" + m},
		{"full-width separators", "号１３８－１２３４－５６７８。", "号" + m + "。"},
		{"+86 with spaces", "联系人+86 138 1234 5678。", "联系人" + m + "。"},
		{"+86 glued", "+8613812345678", m},
		{"86 glued", "８６13812345678结束", m + "结束"},
		{"0086", "拨0086-138-1234-5678", "拨" + m},
		{"(+86)", "（+86）138 1234 5678", m},
		{"full-width plus", "＋８６　１３８　１２３４　５６７８", m},
		{"tel glued", "tel13812345678", "tel" + m},
		{"Tel. and a space", "Tel. 138-1234-5678 (home)", "Tel. " + m + " (home)"},
		{"TEL: colon", "TEL:13812345678", "TEL:" + m},
		{"phone word", "Phone13812345678", "Phone" + m},
		{"手机 and a colon", "手机：13812345678", "手机：" + m},
		{"spaced separators", "138 - 1234 - 5678", m},
		{"two in a row", "13812345678、13987654321", m + "、" + m},
		// Landlines.
		{"area code hyphen", "座机022-23456789", "座机" + l},
		{"area code in parentheses", "(022) 2345 6789", l},
		{"full-width parentheses", "电话（022）23456789", "电话" + l},
		{"mixed separators", "022 2345-6789转", l + "转"},
		{"four-digit area code", "0571-8765432", l},
		{"unbroken", "02223456789", l},
		{"+86 without trunk 0", "+86 22 2345 6789", l},
		{"0086 landline", "0086 22 2345 6789", l},
		{"local after 电话", "电话：2345 6789", "电话：" + l},
		{"local after tel", "tel 2345-6789", "tel " + l},
		{"extension kept", "022-2345-6789-801", l + "-801"},
		// Identity cards.
		{"18 digits", "身份证120101199001011234号", "身份证" + id + "号"},
		{"X", "身份证12010119900101123X", "身份证" + id},
		{"lower-case x", "证件 12010119900101123x。", "证件 " + id + "。"},
		{"split by spaces", "120101 19900101 1234", id},
		{"split by hyphens", "120101-19900101-123X", id},
		{"split in fours", "1201 0119 9001 0112 34", id},
		{"full-width", "１２０１０１１９９００１０１１２３Ｘ", id},
		{"15 digits", "旧证120101900101123", "旧证" + id},
		{"15 digits split", "旧证 120101 900101 123", "旧证 " + id},
		{"ID glued", "ID120101199001011234", "ID" + id},
		{"after 身份证 a mistyped date", "身份证号：120101199013401234", "身份证号：" + id},
		// Ordinary numbers survive.
		{"work order", "工单号8890-20260314-000123", "工单号8890-20260314-000123"},
		{"amounts", "金额 1500 元，1380元，¥2,500.00，￥13,800.00", "金额 1500 元，1380元，¥2,500.00，￥13,800.00"},
		{"dates", "2026-03-14、2026年3月14日、2026/03/14、2026.03.14", "2026-03-14、2026年3月14日、2026/03/14、2026.03.14"},
		{"date and time", "2026-03-14 14:30:05 上门", "2026-03-14 14:30:05 上门"},
		{"order glued to letters", "订单ORD13812345678", "订单ORD13812345678"},
		{"service order", "服务单SO202603140001234", "服务单SO202603140001234"},
		{"digit-only service order", "服务单 202603140001234567", "服务单 202603140001234567"},
		{"USCC", "91120103MA06HJ146P", "91120103MA06HJ146P"},
		{"digit-only USCC", "统一代码 911201161999010159", "统一代码 911201161999010159"},
		{"hotline numbers", "拨打12345或8890或400-820-8820", "拨打12345或8890或400-820-8820"},
		{"twelve digits", "123456789012", "123456789012"},
		{"percent", "满意率94.5%，12 小时内", "满意率94.5%，12 小时内"},
		{"IP address", "192.168.100.200", "192.168.100.200"},
		{"a date before a mobile", "2026-03-14 13812345678", "2026-03-14 " + m},
		{"a count before a mobile", "共 12 138 1234 5678", "共 12 " + m},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := MaskPersonalNumbers(tc.in)
			if got != tc.want {
				t.Errorf("MaskPersonalNumbers(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if again := MaskPersonalNumbers(got); again != got {
				t.Errorf("masking twice changes %q to %q", got, again)
			}
		})
	}
}

func TestIDCheckChar(t *testing.T) {
	// GB 11643's published example.
	if c := idCheckChar("11010519491231002"); c != 'X' {
		t.Errorf("check character of 11010519491231002 = %c, want X", c)
	}
}

// A long run of digit groups (a pasted table, a bank statement) is masked in
// linear time: each group starts at most one bounded search.
func TestMaskLongDigitRuns(t *testing.T) {
	in := strings.Repeat("1 ", 100_000) + "13812345678"
	start := time.Now()
	out := MaskPersonalNumbers(in)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("masking 200 kB of digit groups took %v", took)
	}
	if !strings.HasSuffix(out, MaskedMobile) || strings.Count(out, MaskedMobile) != 1 {
		t.Errorf("the mobile number at the end of a long run was not masked once: …%q", out[len(out)-40:])
	}
}
