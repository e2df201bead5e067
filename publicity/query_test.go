package publicity

import (
	"slices"
	"strings"
	"testing"

	"chengxin/registry"
)

func TestNormalizeQuery(t *testing.T) {
	for in, want := range map[string]string{
		"天津 家政":            "天津家政",
		"  天津\u3000家政  ":   "天津家政",
		"天 津 家 政":          "天津家政",
		"tianjin jiazheng": "tianjin jiazheng",
		"天津 jiazheng":      "天津 jiazheng",
		"ABC 天津":           "ABC 天津",
		"和平区 91120101":     "和平区 91120101",
		"":                 "",
		"   ":              "",
	} {
		if got := NormalizeQuery(in); got != want {
			t.Errorf("NormalizeQuery(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInterpretCategories(t *testing.T) {
	for _, tc := range []struct {
		q, rest, category, words string
	}{
		{"保洁", "", "cleaning", "保洁"},
		{"月嫂", "", "maternity", "月嫂"},
		{"搬家", "", "moving", "搬家"},
		{"小时工", "", "cleaning", "小时工"},
		{"保姆", "", "housekeeping", "保姆"},
		{"baojie", "", "cleaning", "baojie"},
		{"BaoJie", "", "cleaning", "BaoJie"},
		{"yuesao", "", "maternity", "yuesao"},
		{"yue sao", "", "maternity", "yue sao"},
		{"banjia", "", "moving", "banjia"},
		{"kaisuo", "", "locksmith", "kaisuo"},
		{"Home cleaning", "", "cleaning", "Home cleaning"},
		{"plumbing", "", "plumbing", "plumbing"},
		{"moving", "", "moving", "moving"},
		{"locksmith", "", "locksmith", "locksmith"},
		{"天津保洁", "天津", "cleaning", "保洁"},
		{"天津 保洁", "天津", "cleaning", "保洁"}, // the space between Chinese words is dropped first
		{"河西 baojie", "河西", "cleaning", "baojie"},
		{"找保姆", "", "housekeeping", "保姆"},
		{"保洁服务", "", "cleaning", "保洁"},
		{"深度保洁", "", "cleaning", "深度保洁"},
		{"母婴", "", "maternity", "母婴"},
		{"月嫂（母婴护理）", "", "maternity", "月嫂（母婴护理）"},
		// Not a category, or not one only: matched as text.
		{"家政", "家政", "", ""},
		{"jiazheng", "jiazheng", "", ""},
		{"tianjin jiazheng", "tianjin jiazheng", "", ""},
		{"护理", "护理", "", ""},
		{"清洗", "清洗", "", ""},
		{"cleaning", "", "cleaning", "cleaning"}, // the code
		{"repair", "repair", "", ""},
		{"保洁 月嫂", "保洁月嫂", "", ""},
		{"搬家保洁", "搬家保洁", "", ""},
		{"bao", "bao", "", ""},
		{"91120101MA05ABCD1", "91120101MA05ABCD1", "", ""},
		{"", "", "", ""},
	} {
		got := Interpret(tc.q)
		if got.Q != tc.rest || got.Category != tc.category || got.Words != tc.words {
			t.Errorf("Interpret(%q) = %+v, want rest %q, category %q, words %q", tc.q, got, tc.rest, tc.category, tc.words)
		}
	}
	// Every category is named by its Chinese name and by its code.
	for _, c := range registry.Categories() {
		if got := Interpret(c.NameZH); got.Category != c.Code {
			t.Errorf("Interpret(%q) = %+v", c.NameZH, got)
		}
		if got := Interpret(c.Code); got.Category != c.Code {
			t.Errorf("Interpret(%q) = %+v", c.Code, got)
		}
	}
}

func TestSplitSyllables(t *testing.T) {
	show := func(ss []syllableSplit) []string {
		var out []string
		for _, s := range ss {
			w := strings.Join(s.syl, "'")
			if s.partial {
				w += "…"
			}
			out = append(out, w)
		}
		return out
	}
	for in, want := range map[string][]string{
		"baojie":          {"bao'jie"},
		"xian":            {"xian", "xi'an"},
		"tianjinjiazheng": {"tian'jin'jia'zheng"},
		"baoj":            {"bao'j…"},
		"yuesao":          {"yue'sao"},
		"qwrt":            nil,
	} {
		got := show(splitSyllables(in))
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("splitSyllables(%q) = %v, lacks %q", in, got, w)
			}
		}
		if want == nil && got != nil {
			t.Errorf("splitSyllables(%q) = %v, want none", in, got)
		}
		if len(got) > 0 && len(want) > 0 && got[0] != want[0] {
			t.Errorf("splitSyllables(%q) starts with %q, want %q (fewest syllables first)", in, got[0], want[0])
		}
	}
}

func TestPinyinMatching(t *testing.T) {
	full := func(q, name string) bool {
		masks, chars := nameUnits(name)
		var init uint32
		var bloom uint64
		for i, m := range masks {
			init |= m
			bloom |= sylBloom(chars[i])
		}
		return matchFullPinyin(splitSyllables(q), masks, chars, init, bloom)
	}
	initials := func(q, name string) bool {
		masks, _ := nameUnits(name)
		return matchInitials([]byte(q), masks)
	}
	for _, tc := range []struct {
		q, name string
		full    bool
	}{
		{"baojie", "天津河西保洁服务中心", true},
		{"yuesao", "津门月嫂·母婴护理", true},
		{"tianjinjiazheng", "天津市津南区海河家政服务有限公司", true}, // pieces 天津 … 家政
		{"tianjin", "天津市津南区海河家政服务有限公司", true},
		{"baoj", "天津河西保洁服务中心", true}, // an unfinished last syllable
		{"chongqing", "天津重庆道长乐家电维修有限公司", true},
		{"zhongqing", "天津重庆道长乐家电维修有限公司", true}, // either reading of 重
		{"hexibaojie", "天津河西保洁服务中心", true},
		{"baojie", "滨海新区搬家公司", false},
		{"jiebao", "天津河西保洁服务中心", false}, // order matters
		{"tianjinbaojie", "天津市津南区海河家政服务有限公司", false},
		{"qwrt", "天津河西保洁服务中心", false},
	} {
		if got := full(tc.q, tc.name); got != tc.full {
			t.Errorf("full pinyin %q in %q = %v, want %v", tc.q, tc.name, got, tc.full)
		}
	}
	for _, tc := range []struct {
		q, name string
		want    bool
	}{
		{"tjjz", "天津市津南区海河家政服务有限公司", true},
		{"hxbj", "天津河西保洁服务中心", true},
		{"bj", "天津河西保洁服务中心", true},
		{"cq", "天津重庆道长乐家电维修有限公司", true},
		{"zq", "天津重庆道长乐家电维修有限公司", true},
		{"xt", "天津河西保洁服务中心", false},
		{"t", "天津", false},
	} {
		if got := initials(tc.q, tc.name); got != tc.want {
			t.Errorf("initials %q in %q = %v, want %v", tc.q, tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		letters, word string
		want          bool
	}{
		{"baojie", "保洁", true}, {"yuesao", "月嫂", true}, {"xiaoshigong", "小时工", true},
		{"baojiee", "保洁", false}, {"bao", "保洁", false}, {"", "保洁", false},
	} {
		if got := pinyinOfWord(tc.letters, tc.word); got != tc.want {
			t.Errorf("pinyinOfWord(%q, %q) = %v", tc.letters, tc.word, got)
		}
	}
}

func TestNamePinyinOrder(t *testing.T) {
	names := []string{"重庆道维修", "阿姨帮", "安心家政", "ABC Home", "北辰保洁", "白云搬家", "中和家政", "昂扬服务", "天津", "天津河西保洁"}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(registry.NamePinyinKey(a), registry.NamePinyinKey(b)) })
	want := []string{"阿姨帮", "ABC Home", "安心家政", "昂扬服务", "白云搬家", "北辰保洁", "天津", "天津河西保洁", "中和家政", "重庆道维修"}
	if !slices.Equal(names, want) {
		t.Errorf("pinyin order %v, want %v", names, want)
	}
}
