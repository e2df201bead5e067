package registry_test

import (
	"context"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"chengxin/registry"
)

func TestNamePinyinKey(t *testing.T) {
	for name, prefix := range map[string]string{
		"天津河西保洁":      "tian1 jin1 he2 xi1 bao3 jie2\x1f",
		"ABC Home 天津": "abc home tian1 jin1\x1f",
		"ＦＵＬＬ全角":      "full quan2 jiao3\x1f",
		"老王开锁（南开店）":   "lao3 wang2 kai1 suo3 nan2 kai1 dian4\x1f",
		"100% 好家政":    "100 hao3 jia1 zheng4\x1f",
		"的":           "de5\x1f",
		"!!!":         "\x1f",
	} {
		if got := registry.NamePinyinKey(name); got != prefix+name {
			t.Errorf("NamePinyinKey(%q) = %q, want %q", name, got, prefix+name)
		}
	}
}

// TestVendorPinyinKeyStored: every way a name is written stores its key,
// and a database opened with rows that lack it fills them.
func TestVendorPinyinKeyStored(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t)
	key := func(code string) string {
		t.Helper()
		var k string
		if err := db.ReadPoolForTest().QueryRow(`SELECT name_pinyin FROM vendors WHERE uscc = ?`, code).Scan(&k); err != nil {
			t.Fatal(err)
		}
		return k
	}
	a := usccN(1)
	if _, err := db.CreateVendor(ctx, cli, vendorIn(a)); err != nil {
		t.Fatal(err)
	}
	if got := key(a); got != registry.NamePinyinKey("海河示例家政服务有限公司") {
		t.Errorf("created: key %q", got)
	}
	in := vendorIn(a)
	in.Name = "重庆道开锁服务部"
	if _, _, err := db.UpdateVendor(ctx, regulator, in); err != nil {
		t.Fatal(err)
	}
	if got := key(a); !strings.HasPrefix(got, "zhong4 qing4 dao4 kai1 suo3") {
		t.Errorf("renamed: key %q", got)
	}
	b := usccN(2)
	csv := "uscc,name,legal_rep,phone,address,districts,categories\n" + b + ",北辰巧手家电维修部,王伟,022-1,天津,120113,appliance_repair\n"
	if _, err := db.ImportVendors(ctx, strings.NewReader(csv), registry.ImportOptions{Actor: cli}); err != nil {
		t.Fatal(err)
	}
	if got := key(b); !strings.HasPrefix(got, "bei3 chen2 qiao3 shou3") {
		t.Errorf("imported: key %q", got)
	}

	// A row without a key (written before the column existed) is filled
	// when the database is opened.
	raw := rawDB(t, db.DSN())
	if _, err := raw.Exec(`UPDATE vendors SET name_pinyin = ''`); err != nil {
		t.Fatal(err)
	}
	again, err := registry.Open(ctx, db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	var missing int
	if err := again.ReadPoolForTest().QueryRow(`SELECT count(*) FROM vendors WHERE name_pinyin = ''`).Scan(&missing); err != nil || missing != 0 {
		t.Errorf("%d keys left empty after opening (%v)", missing, err)
	}
	if got := key(b); !strings.HasPrefix(got, "bei3 chen2") {
		t.Errorf("filled: key %q", got)
	}
}
