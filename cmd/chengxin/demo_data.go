package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"chengxin/registry"
)

// Fictional name parts: demo data must never use real company names.
var (
	demoWords = []string{"安心", "福满", "洁亮", "益家", "康宁", "暖阳", "巧手", "惠邻", "邻里", "海河", "好帮", "佳美",
		"顺心", "诚悦", "雅洁", "贴心", "德善", "乐居", "恒信", "馨安", "宜家", "如意", "金勺", "彩虹", "晨光", "和美", "春晖", "清源"}
	demoTrades = map[string]string{
		"housekeeping": "家政服务", "cleaning": "保洁服务", "maternity": "母婴护理", "nanny": "育婴服务",
		"eldercare": "养老护理", "appliance_repair": "家电维修", "appliance_cleaning": "家电清洗", "plumbing": "管道疏通",
		"locksmith": "开锁服务", "moving": "搬家服务", "home_repair": "家居维修", "laundry": "洗衣服务", "pest_control": "有害生物防治",
	}
	demoSurnames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "胡", "朱", "郭"}
	demoGiven    = []string{"建国", "秀英", "桂兰", "志强", "丽娜", "海燕", "伟", "静", "磊", "敏", "洋", "婷", "军", "芳", "勇", "艳"}
	demoStreets  = []string{"友谊路", "南京路", "卫津路", "黄河道", "红旗路", "津塘路", "中山路", "解放南路", "复康路", "西青道", "咸阳路", "光华路"}
)

// demoOrg is one fictional organisation.
type demoOrg struct {
	USCC, Name, Kind, District string
}

// demoCity is a deterministic synthetic Tianjin: organisations and vendors.
type demoCity struct {
	Orgs    []demoOrg
	Vendors [][]string // vendor CSV rows (registry.VendorCSVHeader order)
	// MemberOf maps a vendor row index to an organisation index, or -1.
	MemberOf []int
}

// newDemoCity generates n vendors and a handful of organisations for a seed.
func newDemoCity(n int, seed uint64, now time.Time) demoCity {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	used := map[string]bool{}
	districts := registry.Districts()
	uscc := func(district string, typ string) string {
		for {
			var b strings.Builder
			b.WriteString(typ)
			b.WriteString(district)
			b.WriteString("MA0")
			for i := 0; i < 6; i++ {
				b.WriteByte("0123456789ABCDEFGHJKLMNPQRTUWXY"[rng.IntN(31)])
			}
			code := registry.MustUSCC(b.String())
			if !used[code] {
				used[code] = true
				return code
			}
		}
	}
	var city demoCity
	orgSpecs := []struct{ name, kind string }{
		{"天津市家庭服务业协会（演示）", "association"}, {"天津市家政服务行业商会（演示）", "chamber"},
		{"河西区家政服务协会（演示）", "association"}, {"南开区社区服务联合会（演示）", "community"},
		{"滨海新区家庭服务协会（演示）", "association"}, {"天津市家电维修行业协会（演示）", "association"},
		{"和平区便民服务中心（演示）", "community"}, {"津门家政职业介绍所（演示）", "intermediary"},
	}
	for i, o := range orgSpecs {
		d := districts[i%len(districts)].Code
		city.Orgs = append(city.Orgs, demoOrg{USCC: uscc(d, "51"), Name: o.name, Kind: o.kind, District: d})
	}
	cats := registry.Categories()
	for i := 0; i < n; i++ {
		home := districts[rng.IntN(len(districts))]
		main := cats[rng.IntN(len(cats))].Code
		catSet := []string{main}
		if rng.IntN(3) == 0 {
			if extra := cats[rng.IntN(len(cats))].Code; extra != main {
				catSet = append(catSet, extra)
			}
		}
		distSet := []string{home.Code}
		for rng.IntN(4) == 0 && len(distSet) < 4 {
			if d := districts[rng.IntN(len(districts))].Code; !contains(distSet, d) {
				distSet = append(distSet, d)
			}
		}
		short := strings.TrimSuffix(strings.TrimSuffix(home.NameZH, "区"), "新")
		name := fmt.Sprintf("天津%s%s%s有限公司", short, demoWords[rng.IntN(len(demoWords))]+demoWords[rng.IntN(len(demoWords))], demoTrades[main])
		registered := now.AddDate(0, 0, -30-rng.IntN(8*365))
		licence := ""
		if rng.IntN(5) > 0 {
			licence = now.AddDate(1+rng.IntN(5), rng.IntN(12), 0).In(registry.Shanghai).Format("2006-01-02")
		}
		insurance := ""
		if rng.IntN(10) < 7 {
			insurance = now.AddDate(0, 1+rng.IntN(18), 0).In(registry.Shanghai).Format("2006-01-02")
		}
		row := []string{
			uscc(home.Code, "91"), name,
			demoSurnames[rng.IntN(len(demoSurnames))] + demoGiven[rng.IntN(len(demoGiven))],
			fmt.Sprintf("022-%08d", rng.IntN(1e8)),
			fmt.Sprintf("天津市%s%s%d号", home.NameZH, demoStreets[rng.IntN(len(demoStreets))], 1+rng.IntN(300)),
			strings.Join(distSet, ";"), strings.Join(catSet, ";"),
			fmt.Sprintf("JZ%06d", rng.IntN(1e6)), licence, insurance,
			registered.In(registry.Shanghai).Format("2006-01-02"),
		}
		city.Vendors = append(city.Vendors, row)
		org := -1
		if rng.IntN(10) < 6 {
			org = rng.IntN(len(city.Orgs))
		}
		city.MemberOf = append(city.MemberOf, org)
	}
	return city
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// orgsCSV renders the organisations as an import file.
func (c demoCity) orgsCSV() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"uscc", "name", "kind", "district", "contact_phone"})
	for i, o := range c.Orgs {
		w.Write([]string{o.USCC, o.Name, o.Kind, o.District, fmt.Sprintf("022-2%07d", 1000+i)})
	}
	w.Flush()
	return buf.Bytes()
}

// vendorsCSV renders the vendors that belong to org (-1: no organisation).
func (c demoCity) vendorsCSV(org int) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(registry.VendorCSVHeader())
	for i, row := range c.Vendors {
		if c.MemberOf[i] == org {
			w.Write(row)
		}
	}
	w.Flush()
	return buf.Bytes()
}
