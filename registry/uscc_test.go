package registry_test

import (
	"encoding/csv"
	"errors"
	"os"
	"strings"
	"testing"

	"chengxin/i18n"
	"chengxin/registry"
)

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

func usccErr(t *testing.T, err error) *registry.USCCError {
	t.Helper()
	var ue *registry.USCCError
	if !errors.As(err, &ue) {
		t.Fatalf("want a *USCCError, got %T %v", err, err)
	}
	return ue
}

func TestParseUSCCValidFixtures(t *testing.T) {
	t.Parallel()
	codes := readLines(t, "testdata/usccs_valid.txt")
	if len(codes) != 391 {
		t.Fatalf("usccs_valid.txt has %d codes, want 391", len(codes))
	}
	for _, c := range codes {
		got, err := registry.ParseUSCC(c)
		if err != nil {
			t.Errorf("ParseUSCC(%q): %v", c, err)
			continue
		}
		if got != c {
			t.Errorf("ParseUSCC(%q) = %q", c, got)
		}
		if registry.MustUSCC(c[:17]) != c {
			t.Errorf("MustUSCC(%q) = %q, want %q", c[:17], registry.MustUSCC(c[:17]), c)
		}
	}
}

func TestParseUSCCInvalidFixtures(t *testing.T) {
	t.Parallel()
	rows := readCSV(t, "testdata/usccs_invalid.csv")
	if len(rows) != 534 {
		t.Fatalf("usccs_invalid.csv has %d rows, want 534", len(rows))
	}
	var nOK, nCheck int
	for _, r := range rows {
		code, reason := r["code"], r["reason"]
		got, err := registry.ParseUSCC(code)
		switch {
		case strings.HasPrefix(reason, "lowercase/bad chars; upper-cased -> ok"):
			nOK++
			if err != nil {
				t.Errorf("%q (%s): %v", code, reason, err)
			}
			if got != strings.ToUpper(code) {
				t.Errorf("ParseUSCC(%q) = %q, want %q", code, got, strings.ToUpper(code))
			}
		case err == nil:
			t.Errorf("ParseUSCC(%q) passed; reason: %s", code, reason)
		case strings.HasPrefix(reason, "bad_check") && strings.IndexAny(code[17:], "IOSVZ") < 0:
			nCheck++
			ue := usccErr(t, err)
			want := registry.USCCCheckChar(got[:17])
			if ue.Code != "check" || ue.Expected != want || !errors.Is(err, registry.ErrUSCCCheck) {
				t.Errorf("%q: got Code %q Expected %q, want check %q", code, ue.Code, ue.Expected, want)
			}
			if msg := ue.Text.In(i18n.EN); !strings.Contains(msg, `"`+string(want)+`"`) {
				t.Errorf("%q: message %q does not name %q", code, msg, want)
			}
		case strings.HasPrefix(reason, "bad_check"):
			// "Z is not in the charset": a character outside the alphabet is a
			// charset error (not confirmable), even in the check position.
			if ue := usccErr(t, err); ue.Code != "charset" || errors.Is(err, registry.ErrUSCCCheck) {
				t.Errorf("%q: Code %q, want charset", code, ue.Code)
			}
		case strings.HasPrefix(reason, "bad_length"), reason == "InvalidLength":
			if ue := usccErr(t, err); ue.Code != "length" {
				t.Errorf("%q: Code %q, want length", code, ue.Code)
			}
		default:
			if ue := usccErr(t, err); errors.Is(err, registry.ErrUSCCCheck) != (ue.Code == "check") {
				t.Errorf("%q: errors.Is(ErrUSCCCheck) disagrees with Code %q", code, ue.Code)
			}
		}
	}
	if nOK != 273 || nCheck != 193 {
		t.Errorf("upper-cased ok %d (want 273), bad_check %d (want 193)", nOK, nCheck)
	}
}

func TestParseUSCCTianjinCompanies(t *testing.T) {
	t.Parallel()
	rows := readCSV(t, "testdata/tianjin_housekeeping_companies_2019.csv")
	if len(rows) != 178 {
		t.Fatalf("%d companies, want 178", len(rows))
	}
	for _, r := range rows {
		code := r["统一社会信用代码"]
		if got, err := registry.ParseUSCC(code); err != nil || got != code {
			t.Errorf("%s %q: got %q, %v", r["企业名称"], code, got, err)
		}
		if code[2:4] != "12" {
			t.Errorf("%q is not a Tianjin code", code)
		}
	}
}

func TestParseUSCC(t *testing.T) {
	t.Parallel()
	const valid = "91120103MA06HJ146P"
	tests := []struct {
		name, in, want, code string
		expected             byte
	}{
		{"plain", valid, valid, "", 0},
		{"full-width", "９１１２０１０３ＭＡ０６ＨＪ１４６Ｐ", valid, "", 0},
		{"full-width mixed", "91120103ＭＡ06HJ146Ｐ", valid, "", 0},
		{"lower case", "91120103ma06hj146p", valid, "", 0},
		{"full-width lower case", "９１１２０１０３ｍａ０６ｈｊ１４６ｐ", valid, "", 0},
		{"surrounding spaces", "  91120103MA06HJ146P\t\n", valid, "", 0},
		{"ideographic spaces", "\u300091120103MA06HJ146P\u3000", valid, "", 0},
		{"BOM", "\ufeff91120103MA06HJ146P", valid, "", 0},
		{"length 17", valid[:17], "", "length", 0},
		{"length 19", valid + "0", "", "length", 0},
		{"length 0", "", "", "length", 0},
		{"only spaces", " \u3000 ", "", "length", 0},
		{"inner space", "91120103 MA06HJ146P", "", "length", 0},
		{"charset I", "9112010I" + valid[8:], "", "charset", 0},
		{"charset O", "91120103MO06HJ146P", "", "charset", 0},
		{"charset S", "91120103MS06HJ146P", "", "charset", 0},
		{"charset V", "91120103MV06HJ146P", "", "charset", 0},
		{"charset Z", "91120103MZ06HJ146P", "", "charset", 0},
		{"charset hyphen", "91120103-A06HJ146P", "", "charset", 0},
		{"charset Chinese", "91120103MA06HJ146中", "", "charset", 0},
		{"structure position 3", "91A20103MA06HJ146P", "", "structure", 0},
		{"structure position 8", "9112010AMA06HJ146P", "", "structure", 0},
		{"check", "91120103MA06HJ1460", "", "check", 'P'},
		{"check lower case", "91120103ma06hj1460", "", "check", 'P'},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := registry.ParseUSCC(tt.in)
			if tt.code == "" {
				if err != nil || got != tt.want {
					t.Fatalf("ParseUSCC(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			ue := usccErr(t, err)
			if ue.Code != tt.code {
				t.Fatalf("ParseUSCC(%q): Code %q (%v), want %q", tt.in, ue.Code, err, tt.code)
			}
			if ue.Expected != tt.expected {
				t.Errorf("Expected = %q, want %q", ue.Expected, tt.expected)
			}
			if errors.Is(err, registry.ErrUSCCCheck) != (tt.code == "check") {
				t.Errorf("errors.Is(err, ErrUSCCCheck) = %v", errors.Is(err, registry.ErrUSCCCheck))
			}
			for _, lang := range []string{i18n.EN, i18n.ZH} {
				if msg := ue.Text.In(lang); msg == "" || msg == ue.Text.Key || strings.Contains(msg, "%!") {
					t.Errorf("message in %s: %q", lang, msg)
				}
			}
		})
	}
}

func TestUSCCErrorMessages(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"91120103MA06HJ146", "this has 17"},
		{"91120103MA06HJ146PP", "this has 19"},
		{"91120103MO06HJ146P", `character 10 ("O")`},
		{"91120103MA06HJ146中", `character 18 ("中")`},
		{"91A20103MA06HJ146P", "character 3 must be a digit"},
		{"91120103MA06HJ1460", `the last character is "0", GB 32100-2015 gives "P"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := registry.ParseUSCC(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseUSCC(%q) error %v, want it to contain %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestMustUSCC(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{"91120103MA06HJ146", "12120000401359081", "91120116MA06HX0B0", "00000000000000000"} {
		code := registry.MustUSCC(prefix)
		if len(code) != 18 || code[:17] != prefix {
			t.Fatalf("MustUSCC(%q) = %q", prefix, code)
		}
		if got, err := registry.ParseUSCC(code); err != nil || got != code {
			t.Errorf("ParseUSCC(MustUSCC(%q)) = %q, %v", prefix, got, err)
		}
	}
	if got := registry.MustUSCC("91120103MA06HJ146"); got != "91120103MA06HJ146P" {
		t.Errorf("MustUSCC = %q, want 91120103MA06HJ146P", got)
	}
	for _, bad := range []string{"9112010", "91120103MA06HJ1460", "91120103MO06HJ146", "91120103ma06hj146"} {
		t.Run("panics/"+bad, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("MustUSCC(%q) did not panic", bad)
				}
			}()
			registry.MustUSCC(bad)
		})
	}
}
