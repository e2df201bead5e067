package web

import (
	"net/url"

	"github.com/labstack/echo/v4"

	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/views"
)

// interpretQuery selects the service category a query names as the
// search's category filter when none is chosen, leaving the rest of the
// query to be found in names (the page and the open-data JSON read
// queries alike). When that category is already the filter, the words
// naming it are dropped as said twice. It returns the interpretation when
// it selected the filter, else a zero one.
func interpretQuery(q *publicity.SearchQuery) publicity.Interpretation {
	in := publicity.Interpret(q.Q)
	switch {
	case in.Category == "":
	case q.Category == "":
		q.Category, q.Q = in.Category, in.Q
		return in
	case q.Category == in.Category:
		q.Q = in.Q
	}
	return publicity.Interpretation{}
}

// searchURL is the search page for q without one of its filters (drop:
// "category", "district", "grade"); the sort is kept only when one was
// asked for.
func searchURL(c echo.Context, q publicity.SearchQuery, drop string) string {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" && k != drop {
			v.Set(k, val)
		}
	}
	set("q", q.Q)
	set("category", q.Category)
	set("district", q.District)
	set("grade", q.Grade)
	set("sort", c.QueryParam("sort"))
	if len(v) == 0 {
		return "/vendors"
	}
	return "/vendors?" + v.Encode()
}

// searchChips show the filters in force, each with a link that removes it.
func searchChips(c echo.Context, q publicity.SearchQuery) []views.PubChip {
	var out []views.PubChip
	if cat, ok := registry.CategoryByCode(q.Category); ok {
		out = append(out, views.PubChip{Kind: "category", Label: tr(c, "pub.filter.category") + tr(c, "pub.chip.sep") + cat.Name(lang(c)),
			RemoveURL: searchURL(c, q, "category"), RemoveLabel: tr(c, "pub.chip.remove", cat.Name(lang(c)))})
	}
	if d, ok := registry.DistrictByCode(q.District); ok {
		out = append(out, views.PubChip{Kind: "district", Label: tr(c, "pub.filter.district") + tr(c, "pub.chip.sep") + d.Name(lang(c)),
			RemoveURL: searchURL(c, q, "district"), RemoveLabel: tr(c, "pub.chip.remove", d.Name(lang(c)))})
	}
	if q.Grade != "" {
		out = append(out, views.PubChip{Kind: "grade", Label: tr(c, "pub.filter.grade") + tr(c, "pub.chip.sep") + tr(c, "grade."+q.Grade),
			RemoveURL: searchURL(c, q, "grade"), RemoveLabel: tr(c, "pub.chip.remove", tr(c, "grade."+q.Grade))})
	}
	return out
}
