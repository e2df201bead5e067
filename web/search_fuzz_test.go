package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"chengxin/registry"
	"chengxin/web"
)

// FuzzPublicSearch sends any search through the public page and the open
// data API: the page always answers 200 (bad filters are dropped with a
// notice), the API 200 or 400 naming the bad parameters; neither shows a
// database error; the API's items are catalog vendors passing the filters,
// at most a page of them, out of a total no larger than the catalog.
func FuzzPublicSearch(f *testing.F) {
	ctx := context.Background()
	db := openDB(f, "search.db")
	now := func() time.Time { return t0 }
	db.Now = now
	srv := web.New(web.Config{DB: db, Now: now})
	catalog := map[string]registry.VendorInput{}
	for _, v := range []struct{ prefix, name, district, category string }{
		{"91120101MA0QWB001", "和平区示范家政服务有限公司", "120101", "cleaning"},
		{"91120103MA0QWB002", "天津河西保洁服务中心", "120103", "housekeeping"},
		{"91120104MA0QWB003", "ABC Home Services 天津", "120104", "appliance_repair"},
		{"91120101MA0QWB004", `100% "好" 家政_服务`, "120101", "maternity"},
		{"91120116MA0QWB005", "滨海新区搬家公司", "120116", "moving"},
	} {
		in := vendorInput(registry.MustUSCC(v.prefix), v.name)
		in.Districts, in.Categories = []string{v.district}, []string{v.category}
		if _, err := db.CreateVendor(ctx, registry.CLIActor, in); err != nil {
			f.Fatal(err)
		}
		catalog[in.USCC] = in
	}

	for _, s := range [][7]string{
		{"家政", "", "", "", "", "", ""}, {"保姆", "cleaning", "120101", "N", "grade", "1", "5"}, {"tjjz", "", "", "", "name", "2", "1"},
		{"9112010", "", "", "", "score", "", "100"}, {`' OR 1=1 --`, `' OR 1=1 --`, `"; DROP TABLE vendors; --`, "a", "relevance; --", "1 OR 1=1", "-1"},
		{"*", "", "", "", "", "0", "0"}, {"NEAR(a b)", "", "", "", "", "9223372036854775807", "2"}, {`"unterminated`, "", "", "", "", "99999999999999999999", "101"},
		{"a OR b", "", "", "", "", "", ""}, {"^", "", "", "", "", "", ""}, {"\x00", "\x00", "\x00", "\x00", "\x00", "\x00", "\x00"},
		{strings.Repeat("家", 3500), "", "", "", "", "", ""}, {"%", "", "", "", "", "", ""}, {"_", "", "", "", "", "", ""},
		{"\xff\xfe", "\xff", "\xfe", "\xc3", "\x28", "\xe5", "\xae"}, {"ＡＢＣ　家政", "", "", "ａ", "", "１", "２"},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5], s[6])
	}

	f.Fuzz(func(t *testing.T, q, cat, dist, grade, sortKey, page, perPage string) {
		c := &client{t: t, srv: srv, jar: map[string]*http.Cookie{}, remoteAddr: "192.0.2.10:40000", header: http.Header{}}
		params := url.Values{}
		for k, v := range map[string]string{"q": q, "category": cat, "district": dist, "grade": grade, "sort": sortKey, "page": page, "per_page": perPage} {
			if v != "" {
				params.Set(k, v)
			}
		}
		r := c.get("/vendors?" + params.Encode())
		if r.Code != http.StatusOK {
			t.Fatalf("/vendors?%s: %d\n%s", params.Encode(), r.Code, r)
		}
		if m := sqlLeak.FindString(r.Body); m != "" {
			t.Fatalf("/vendors?%s shows a database error (%q)", params.Encode(), m)
		}

		r = c.get("/api/v1/vendors?" + params.Encode())
		if m := sqlLeak.FindString(r.Body); m != "" {
			t.Fatalf("/api/v1/vendors?%s shows a database error (%q)", params.Encode(), m)
		}
		switch r.Code {
		case http.StatusBadRequest:
			var body struct {
				Error struct {
					Code   string            `json:"code"`
					Fields map[string]string `json:"fields"`
				} `json:"error"`
			}
			if err := json.Unmarshal([]byte(r.Body), &body); err != nil || body.Error.Code != "bad_request" || len(body.Error.Fields) == 0 {
				t.Fatalf("/api/v1/vendors?%s: 400 without the bad fields: %s", params.Encode(), r.Body)
			}
			for field, msg := range body.Error.Fields {
				if !slices.Contains([]string{"category", "district", "grade", "sort", "page", "per_page"}, field) || msg == "" || strings.HasPrefix(msg, "pub.") {
					t.Fatalf("/api/v1/vendors?%s: 400 names %q: %q", params.Encode(), field, msg)
				}
			}
		case http.StatusOK:
			var body struct {
				Items []struct {
					USCC       string   `json:"uscc"`
					Districts  []string `json:"districts"`
					Categories []string `json:"categories"`
				} `json:"items"`
				Page    int `json:"page"`
				PerPage int `json:"per_page"`
				Total   int `json:"total"`
			}
			if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
				t.Fatalf("/api/v1/vendors?%s: %v\n%s", params.Encode(), err, r.Body)
			}
			if body.PerPage < 1 || body.PerPage > 100 || body.Page < 1 || len(body.Items) > body.PerPage || body.Total < len(body.Items) || body.Total > len(catalog) {
				t.Fatalf("/api/v1/vendors?%s: page %d of %d per page, %d items of %d", params.Encode(), body.Page, body.PerPage, len(body.Items), body.Total)
			}
			if n, err := strconv.Atoi(page); page != "" && (err != nil || n != body.Page) {
				t.Fatalf("/api/v1/vendors?%s answered page %d", params.Encode(), body.Page)
			}
			if registry.PageOffset(body.Page, body.PerPage) >= body.Total && len(body.Items) > 0 {
				t.Fatalf("/api/v1/vendors?%s: page %d past the end has %d items", params.Encode(), body.Page, len(body.Items))
			}
			seen := map[string]bool{}
			for _, it := range body.Items {
				if _, ok := catalog[it.USCC]; !ok || seen[it.USCC] {
					t.Fatalf("/api/v1/vendors?%s: item %s is not in the catalog or repeated", params.Encode(), it.USCC)
				}
				seen[it.USCC] = true
				if (cat != "" && !slices.Contains(it.Categories, cat)) || (dist != "" && !slices.Contains(it.Districts, dist)) {
					t.Fatalf("/api/v1/vendors?%s: %s %v %v passed the filters", params.Encode(), it.USCC, it.Districts, it.Categories)
				}
			}
		default:
			t.Fatalf("/api/v1/vendors?%s: %d\n%s", params.Encode(), r.Code, r)
		}
	})
}
