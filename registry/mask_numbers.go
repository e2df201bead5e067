package registry

// The shapes of the personal numbers MaskPersonalNumbers looks for, on
// ASCII digits (an identity number may end in 'X').

// isMobile: 11 digits, 1 then 3–9 (mainland mobile numbers).
func isMobile(d string) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' && allDigits(d)
}

// isLandline: a trunk 0, an area code and a local number of 7–8 digits
// starting 2–9. Area codes 10 and 2x (Beijing, Tianjin 22, Shanghai 21, …)
// have 8-digit local numbers; the others are three digits starting 3–9.
func isLandline(d string) bool {
	if len(d) < 10 || d[0] != '0' || !allDigits(d) {
		return false
	}
	switch {
	case d[1] == '1' && d[2] == '0', d[1] == '2':
		return len(d) == 11 && isLocalNumber(d[3:])
	case d[1] >= '3' && d[1] <= '9':
		return isLocalNumber(d[4:])
	}
	return false
}

func isLocalNumber(d string) bool {
	return (len(d) == 7 || len(d) == 8) && d[0] >= '2' && d[0] <= '9'
}

// isIDCard18: 17 digits and a check character (digit or X) with a province
// code and a birth date that exist. An all-digit code that is a valid USCC
// and fails the identity check is a USCC. lenient (after a word such as
// 身份证) accepts any 17 digits and a check character: a mistyped number
// is still personal.
func isIDCard18(d string, lenient bool) bool {
	if len(d) != 18 || !allDigits(d[:17]) || !(d[17] == 'X' || d[17] >= '0' && d[17] <= '9') {
		return false
	}
	if lenient {
		return true
	}
	if !isProvince(d[:2]) || !isBirthDate(d[6:14]) {
		return false
	}
	if d[17] != 'X' && CheckUSCC(d) == nil && idCheckChar(d[:17]) != d[17] {
		return false
	}
	return true
}

// isIDCard15: the identity numbers issued before 1999: 15 digits, a
// province code and a birth date YYMMDD in the 1900s.
func isIDCard15(d string, lenient bool) bool {
	if len(d) != 15 || !allDigits(d) {
		return false
	}
	return lenient || isProvince(d[:2]) && isBirthDate("19"+d[6:12])
}

// idCheckChar is the ISO 7064 MOD 11-2 check character of GB 11643.
func idCheckChar(first17 string) byte {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(first17[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11]
}

// isProvince: the first two digits of a GB/T 2260 code of a
// provincial-level division (81–83: Hong Kong, Macao, Taiwan residents).
func isProvince(p string) bool {
	switch p[0] {
	case '1':
		return p[1] >= '1' && p[1] <= '5'
	case '2':
		return p[1] >= '1' && p[1] <= '3'
	case '3':
		return p[1] >= '1' && p[1] <= '7'
	case '4':
		return p[1] >= '1' && p[1] <= '6'
	case '5':
		return p[1] >= '0' && p[1] <= '4'
	case '6':
		return p[1] >= '1' && p[1] <= '5'
	case '7':
		return p[1] == '1'
	case '8':
		return p[1] >= '1' && p[1] <= '3'
	}
	return false
}

// isBirthDate: YYYYMMDD, a real day between 1900 and 2099.
func isBirthDate(s string) bool {
	y := atoi(s[:4])
	m := atoi(s[4:6])
	d := atoi(s[6:8])
	if y < 1900 || y > 2099 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && (y%4 == 0 && y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

func atoi(s string) int {
	n := 0
	for i := range len(s) {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
