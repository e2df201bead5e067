package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// verbs counts fmt verbs, ignoring %%.
var verbPattern = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[vdsqgfxt]`)

// Every message has both languages with the same formatting verbs, so a
// translation can never drop or add an argument.
func TestCatalogEntriesComplete(t *testing.T) {
	for _, key := range Keys() {
		zh, en, _ := Lookup(key)
		if strings.TrimSpace(zh) == "" || strings.TrimSpace(en) == "" {
			t.Errorf("%s: missing a language (zh %q, en %q)", key, zh, en)
			continue
		}
		zv, ev := verbPattern.FindAllString(zh, -1), verbPattern.FindAllString(en, -1)
		if len(zv) != len(ev) {
			t.Errorf("%s: zh has verbs %v, en has %v", key, zv, ev)
		}
	}
}

// keyUse finds literal message keys in calls: t(ctx, "k"), tr(c, "k"),
// i18n.T("k"), i18n.Get(lang, "k"), navLink(p, "/x", "k").
var keyUse = regexp.MustCompile(`(?:\bt\(ctx, |\btr\(c, |i18n\.T\(|i18n\.Get\([a-zA-Z.()]+, |navLink\(p, "[^"]*", )"([a-z_]+\.[a-z_.0-9-]*[a-z0-9_-])"`)

// Every key the code uses is in the catalog.
func TestEveryUsedKeyExists(t *testing.T) {
	root := ".."
	used := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(path, "_templ.go") || strings.HasSuffix(path, "_test.go") ||
			!(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".templ")) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range keyUse.FindAllStringSubmatch(string(src), -1) {
			used++
			if !Has(m[1]) {
				t.Errorf("%s uses %q, which is not in the catalog", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if used < 100 {
		t.Fatalf("found only %d key uses: the scanner is broken", used)
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct{ explicit, cookie, accept, want string }{
		{"", "", "", ZH},
		{"en", "zh", "zh-CN", EN},
		{"", "en", "zh-CN", EN},
		{"", "", "en-US,en;q=0.9", EN},
		{"", "", "fr-FR,en;q=0.5,zh;q=0.8", ZH},
		{"", "", "fr", ZH},
		{"xx", "", "en", EN},
	}
	for _, tc := range tests {
		if got := Negotiate(tc.explicit, tc.cookie, tc.accept); got != tc.want {
			t.Errorf("Negotiate(%q, %q, %q) = %q, want %q", tc.explicit, tc.cookie, tc.accept, got, tc.want)
		}
	}
}
