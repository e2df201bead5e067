package registry

import (
	"embed"
	"encoding/csv"
	"fmt"
	"strings"
)

//go:embed refdata/*.csv
var refdataFS embed.FS

// District is a Tianjin district (GB/T 2260 code).
type District struct {
	Code, NameZH, NameEN string
}

// Category is a service category with its Chinese synonyms (what citizens type).
type Category struct {
	Code, NameZH, NameEN, GBT4754 string
	Synonyms                      []string
}

// Name returns the district's name in lang ("zh" or "en").
func (d District) Name(lang string) string {
	if lang == "en" {
		return d.NameEN
	}
	return d.NameZH
}

// Name returns the category's name in lang ("zh" or "en").
func (c Category) Name(lang string) string {
	if lang == "en" {
		return c.NameEN
	}
	return c.NameZH
}

var (
	districts     []District
	districtByKey = map[string]District{}
	categories    []Category
	categoryByKey = map[string]Category{}
)

func init() {
	for _, r := range readRefCSV("refdata/tianjin_districts.csv") {
		d := District{Code: r["code"], NameZH: r["name_zh"], NameEN: r["name_en"]}
		districts = append(districts, d)
		districtByKey[d.Code] = d
	}
	for _, r := range readRefCSV("refdata/service_categories.csv") {
		c := Category{Code: r["code"], NameZH: r["name_zh"], NameEN: r["name_en"], GBT4754: r["gbt4754"]}
		if s := r["synonyms_zh"]; s != "" {
			c.Synonyms = strings.Split(s, ";")
		}
		categories = append(categories, c)
		categoryByKey[c.Code] = c
	}
}

func readRefCSV(name string) []map[string]string {
	f, err := refdataFS.Open(name)
	if err != nil {
		panic(fmt.Sprintf("registry: embedded %s: %v", name, err))
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) < 2 {
		panic(fmt.Sprintf("registry: embedded %s is not a CSV with rows: %v", name, err))
	}
	out := make([]map[string]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = strings.TrimSpace(rec[i])
		}
		out = append(out, m)
	}
	return out
}

// Districts lists Tianjin's 16 districts in code order.
func Districts() []District { return districts }

// Categories lists the service categories in file order.
func Categories() []Category { return categories }

// DistrictByCode looks a district up.
func DistrictByCode(code string) (District, bool) { d, ok := districtByKey[code]; return d, ok }

// CategoryByCode looks a category up.
func CategoryByCode(code string) (Category, bool) { c, ok := categoryByKey[code]; return c, ok }
