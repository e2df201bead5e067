package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"chengxin/i18n"
	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/scoring"
	"chengxin/views"
)

// handleHome is the public home page: search, the city's grade
// distribution, how to read a grade, links to the lists and methodology.
func (ps *publicSite) handleHome(c echo.Context) error {
	counts, total, unpublished, err := ps.catalog.GradeCounts(c.Request().Context())
	if err != nil {
		return err
	}
	v := views.PubHomeView{Page: ps.page(c, tr(c, "pub.home.title"), tr(c, "pub.home.description")), Total: total, Unpublished: unpublished}
	for _, g := range append(slices.Clone(publicity.Grades), "") {
		n := counts[g]
		if g == "" && n == 0 {
			continue
		}
		v.Distribution = append(v.Distribution, views.PubGradeCount{Grade: g, Label: pubGradeLabel(c, g), Count: n, Percent: pubPercent(n, total)})
	}
	for _, code := range []string{"cleaning", "housekeeping", "maternity", "eldercare", "appliance_repair", "locksmith"} {
		if cat, ok := registry.CategoryByCode(code); ok {
			v.Popular = append(v.Popular, views.Option{Value: "/vendors?category=" + code, Label: cat.Name(lang(c))})
		}
	}
	return ps.render(c, http.StatusOK, views.PublicHomePage(v))
}

// pubGradeLabel names a grade; "" is a vendor not evaluated yet.
func pubGradeLabel(c echo.Context, g string) string {
	if g == "" {
		return tr(c, "pub.grade.none")
	}
	return tr(c, "grade."+g)
}

// pubPercent is n of total as a percentage ("0.0%" when total is 0), with
// the site's one rate and one formatter.
func pubPercent(n, total int) string {
	r := scoring.Rate(n, total)
	if r == nil {
		return scoring.Percent(0)
	}
	return scoring.Percent(*r)
}

// searchQuery reads the search parameters; pages are lenient (a bad filter
// is dropped with a notice, a bad page number becomes 1).
func (ps *publicSite) searchQuery(c echo.Context) (publicity.SearchQuery, []string) {
	q := publicity.SearchQuery{Q: c.QueryParam("q"), Category: c.QueryParam("category"), District: c.QueryParam("district"),
		Grade: strings.ToUpper(c.QueryParam("grade")), Sort: c.QueryParam("sort"), Page: 1, PerPage: publicity.DefaultPerPage}
	if n, err := strconv.Atoi(c.QueryParam("page")); err == nil && n >= 1 {
		q.Page = n
	}
	var notices []string
	probs := q.Problems()
	for _, f := range []string{"category", "district", "grade", "sort"} {
		if key, bad := probs[f]; bad {
			notices = append(notices, tr(c, key)+" "+tr(c, "pub.ignored"))
			switch f {
			case "category":
				q.Category = ""
			case "district":
				q.District = ""
			case "grade":
				q.Grade = ""
			case "sort":
				q.Sort = ""
			}
		}
	}
	return q, notices
}

// handleSearch is the public search page. A query that names a service
// category selects that category as a filter, shown selected and
// removable (publicity.Interpret); the rest of the query is matched in
// names. With nothing typed it browses every vendor, best grade first by
// default, or by score or name (pinyin order).
func (ps *publicSite) handleSearch(c echo.Context) error {
	q, notices := ps.searchQuery(c)
	in := interpretQuery(&q)
	typed := strings.TrimSpace(q.Q) != ""
	if !typed && q.Sort == "" || !typed && q.Sort == publicity.SortRelevance {
		q.Sort = publicity.SortGrade // nothing to be relevant to: best first
	}
	title := tr(c, "pub.search.title")
	if t := strings.TrimSpace(c.QueryParam("q")); t != "" {
		title = tr(c, "pub.search.title_q", pubTruncate(t, 40))
	}
	v := views.PubSearchView{Page: ps.page(c, title, tr(c, "pub.search.description")), Q: q.Q, Notices: notices,
		Searched:     typed || q.Category != "" || q.District != "" || q.Grade != "",
		CategoryOpts: categoryOptions(lang(c), q.Category), DistrictOpts: districtOptions(lang(c), q.District)}
	for _, g := range publicity.Grades {
		v.GradeOpts = append(v.GradeOpts, views.Option{Value: g, Label: tr(c, "grade."+g), Selected: q.Grade == g})
	}
	for _, s := range publicity.SortOrders {
		if s == publicity.SortRelevance && !typed {
			continue
		}
		v.SortOpts = append(v.SortOpts, views.Option{Value: s, Label: tr(c, "pub.sort."+s), Selected: q.Sort == s || (q.Sort == "" && s == publicity.SortRelevance)})
	}
	v.Chips = searchChips(c, q)
	if in.Category != "" {
		v.CategoryFromQ = tr(c, "pub.search.category_from_q", in.Words, categoryNames([]string{in.Category}, lang(c)))
	}
	v.JSONURL = "/api/v1/vendors?" + pubAPIQuery(c).Encode()
	if !v.Searched {
		v.Suggestions = pubSuggestions(c)
	}
	res, err := ps.catalog.Search(c.Request().Context(), q)
	if err != nil {
		return err
	}
	v.Total = res.Total
	v.Hits = ps.hitRows(c, res.Hits)
	v.Pager = pagerFor(c, res.Total, q.Page, q.PerPage)
	var names []string
	for _, code := range res.Categories {
		if cat, ok := registry.CategoryByCode(code); ok {
			names = append(names, cat.Name(lang(c)))
		}
	}
	v.Matched = strings.Join(names, tr(c, "punct.list"))
	if len(res.Hits) == 0 {
		first := c.Request().URL.Query()
		first.Del("page")
		v.FirstPageURL = "/vendors?" + first.Encode()
		v.Suggestions = pubSuggestions(c)
		if q.Category != "" || q.District != "" || q.Grade != "" {
			v.Suggestions = append([]views.Option{{Value: "/vendors?q=" + url.QueryEscape(q.Q), Label: tr(c, "pub.search.no_filters")}}, v.Suggestions...)
		}
	}
	return ps.render(c, http.StatusOK, views.PublicSearchPage(v))
}

// pubAPIQuery is the open-data query matching the page's search.
func pubAPIQuery(c echo.Context) url.Values {
	out := url.Values{}
	for _, k := range []string{"q", "category", "district", "grade", "sort", "page"} {
		if v := c.QueryParam(k); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

// suggestions are searches worth trying: common categories.
func pubSuggestions(c echo.Context) []views.Option {
	var out []views.Option
	for _, s := range []string{"保洁", "保姆", "月嫂", "家电维修", "开锁"} {
		label := s
		if lang(c) == i18n.EN {
			if cats := pubCategoryFor(s); cats != "" {
				label = cats
			}
		}
		out = append(out, views.Option{Value: "/vendors?q=" + url.QueryEscape(s), Label: label})
	}
	return out
}

// pubCategoryFor names (in English) the category a Chinese search word names.
func pubCategoryFor(word string) string {
	for _, cat := range registry.Categories() {
		if cat.NameZH == word || slices.Contains(cat.Synonyms, word) {
			return cat.NameEN
		}
	}
	return ""
}

func pubTruncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// hitRows formats search hits.
func (ps *publicSite) hitRows(c echo.Context, hits []publicity.Hit) []views.PubHit {
	out := make([]views.PubHit, 0, len(hits))
	for _, h := range hits {
		r := views.PubHit{USCC: h.USCC, Name: h.Name, URL: "/vendors/" + h.USCC, Status: h.Status,
			Districts: districtNames(h.Districts, lang(c)), Categories: categoryNames(h.Categories, lang(c)),
			GradeLabel: pubGradeLabel(c, "")}
		if h.Status != registry.VendorActive {
			r.StatusLabel = tr(c, "status."+h.Status)
		}
		if h.HasGrade() {
			setHitGrade(c, &r, h.Headline)
			if h.Rated > 0 {
				r.Figures = append(r.Figures, tr(c, "pub.fig.callbacks", h.CallbacksCounted, pubPercent(h.Satisfied, h.Rated)))
			} else {
				r.Figures = append(r.Figures, tr(c, "pub.fig.no_callbacks", h.CallbacksCounted))
			}
			if h.ComplaintsMerged > 0 {
				r.Figures = append(r.Figures, tr(c, "pubcore.fig.complaints_merged", h.ComplaintsReceived, h.ComplaintsMerged, h.ComplaintsCounted))
			} else {
				r.Figures = append(r.Figures, tr(c, "pub.fig.complaints", h.ComplaintsReceived, h.ComplaintsCounted))
			}
		}
		out = append(out, r)
	}
	return out
}

// handleVendor is a vendor's disclosure profile.
func (ps *publicSite) handleVendor(c echo.Context) error {
	code := pubCode(c)
	if code == "" {
		return ps.notFound(c)
	}
	doc, ok := vendorDocument(c)
	if !ok {
		return ps.notFound(c)
	}
	p, err := publicity.DecodeProfile(c.Request().Context(), ps.s.db, doc)
	if err != nil {
		return err
	}
	return ps.profilePage(c, p)
}

// profilePage renders a vendor's disclosure page from its stored document's
// profile. What it shows depends on p, the language and the site's base
// URL only: the page stored with the document (RenderProfile) is this
// page as an anonymous visitor gets it.
func (ps *publicSite) profilePage(c echo.Context, p publicity.Profile) error {
	pv := p.Vendor
	v := views.PubProfileView{Page: ps.page(c, pv.Name, tr(c, "pub.profile.description", pv.Name)),
		USCC: pv.USCC, Name: pv.Name, Status: pv.Status, StatusLabel: tr(c, "status."+pv.Status),
		Districts: districtNames(pv.Districts, lang(c)), Categories: categoryNames(pv.Categories, lang(c)),
		Registered: dateText(p.RegisteredAt), WindowFrom: dateText(p.From), WindowTo: dateText(p.To),
		BadgeURL: "/vendors/" + pv.USCC + "/badge.svg", QRURL: "/vendors/" + pv.USCC + "/qr.svg",
		StickerURL: "/vendors/" + pv.USCC + "/sticker", JSONURL: "/api/v1/vendors/" + pv.USCC,
		Headline: headlineView(c, pv.Headline)}
	v.ShareURL = ps.s.profileURL(pv.USCC)
	if pv.Reply != nil {
		v.Reply = *pv.Reply
	}
	for _, p := range pv.Predecessors {
		v.Predecessors = append(v.Predecessors, p.USCC+" "+p.Name)
	}
	for _, h := range pv.History {
		row := views.PubHistory{Date: pubDate(h.PublishedAt), Grade: h.Grade, GradeLabel: tr(c, "grade."+h.Grade), Score: "—",
			Rules: h.RulesVersion, Cause: historyCause(c, h)}
		if h.Score != nil {
			row.Score = publicity.FormatScore(*h.Score)
		}
		v.PublishedHistory = append(v.PublishedHistory, row)
	}
	if se := p.Latest; se != nil {
		v.Evaluated, v.Headline.EvalLink = true, true
		v.EvalSummary, v.EvalRelation = evaluationWords(c, pv.Headline, se.Evaluation, p.Rules)
		v.GradeSentence = sentence(c, se.Sentences[scoring.SentenceGrade])
		for _, r := range se.Reasons {
			v.Reasons = append(v.Reasons, tr(c, "reason."+r))
		}
		v.Components = componentRows(c, p.Rules, se.Evaluation)
	}
	v.Years = make([]views.PubComplaintYear, 0, len(p.Years))
	for _, y := range p.Years {
		v.Years = append(v.Years, complaintYearRow(c, strconv.Itoa(y.Year), y))
	}
	v.Totals = complaintYearRow(c, tr(c, "pubcore.col.total"), p.Totals)
	v.Callbacks = p.Callbacks.Total()
	if r := p.Callbacks.SatisfactionRate(); r != nil {
		v.Satisfaction = scoring.Percent(*r)
	}
	var labels []string
	var totals, rates []float64
	for _, q := range p.Quarters {
		row := views.PubQuarter{Label: q.Label(), Total: q.Total(), Rated: q.Rated(), Rate: "—"}
		rate := -1.0
		if r := q.SatisfactionRate(); r != nil {
			rate, row.Rate = *r, scoring.Percent(*r)
		}
		v.Quarters = append(v.Quarters, row)
		labels, totals, rates = append(labels, q.Label()), append(totals, float64(q.Total())), append(rates, rate)
	}
	v.CallbackChart = views.ColumnChart("chart-callbacks", tr(c, "pub.profile.chart_callbacks_title", len(labels)), labels, totals, 0, "", "#0b5c78")
	v.SatisfactionChart = views.ColumnChart("chart-satisfaction", tr(c, "pub.profile.chart_satisfaction_title", len(labels)), labels, rates, 1, "%", "#146c43")
	for _, m := range pv.Memberships {
		v.Memberships = append(v.Memberships, views.MembershipRow{OrgUSCC: m.OrgUSCC, OrgName: m.OrgName, Since: pubDate(m.Since)})
	}
	for _, s := range pv.Sanctions {
		row := views.PubSanction{Kind: tr(c, "pub.kind."+s.Kind), Issued: pubDate(s.IssuedAt), Summary: s.Summary, Reference: s.Reference,
			Authority: tr(c, "sanctions.authority_none")}
		if s.Authority != nil {
			row.Authority = tr(c, "sanctions.by", *s.Authority)
		}
		if s.DisplayUntil != nil {
			row.Until = pubDate(*s.DisplayUntil)
		}
		v.Sanctions = append(v.Sanctions, row)
	}
	for _, h := range pv.EvaluationHistory[:min(len(pv.EvaluationHistory), publicity.ProfileEvaluationHistory)] {
		row := views.PubHistory{Date: pubDate(h.AsOf), Grade: h.Grade, GradeLabel: tr(c, "grade."+h.Grade), Score: "—", Rules: h.RulesVersion}
		if h.Grade != scoring.GradeN {
			row.Score = publicity.FormatScore(h.Score)
		}
		v.History = append(v.History, row)
	}
	return ps.render(c, http.StatusOK, views.PublicVendorPage(v))
}

// complaintYearRow formats one year of complaint figures (or their total).
func complaintYearRow(c echo.Context, label string, y publicity.ComplaintYear) views.PubComplaintYear {
	row := views.PubComplaintYear{Year: label, Received: y.Received, Merged: y.Merged, Counted: y.Counted, Open: y.Open, Outcomes: "—"}
	var parts []string
	for _, o := range publicity.Outcomes {
		if n := y.ByOutcome[o]; n > 0 {
			parts = append(parts, tr(c, "outcome."+o)+" "+strconv.Itoa(n))
		}
	}
	if len(parts) > 0 {
		row.Outcomes = strings.Join(parts, tr(c, "pub.list_sep"))
	}
	return row
}

// evaluationWords explains the latest evaluation in words: its date, score
// and the grade the rules give, then how it relates to the grade in force.
func evaluationWords(c echo.Context, h publicity.Headline, ev scoring.Evaluation, rules scoring.Rules) (summary, relation string) {
	summary = tr(c, "pubcore.eval.summary", dateText(ev.AsOf))
	switch {
	case h.Provisional:
		relation = tr(c, "pubcore.eval.provisional")
	case h.Override != nil:
		relation = tr(c, "pubcore.eval.override")
	case h.Pending != nil && h.Pending.Grade == ev.Grade:
		relation = tr(c, "pubcore.eval.pending")
	case ev.Grade == h.Grade:
		relation = tr(c, "pubcore.eval.same")
	default:
		relation = tr(c, "pubcore.eval.differs", num(rules.Publication.ObjectionDays))
	}
	return summary, relation
}

// historyCause names what published a grade.
func historyCause(c echo.Context, h publicity.HistoryEntry) string {
	switch {
	case h.Cause == registry.CauseBlacklist && h.Reference != nil:
		return tr(c, "pubcore.cause.blacklist_ref", *h.Reference)
	case h.Cause == registry.CauseOverride && h.Reason != nil:
		return tr(c, "pubcore.cause.override_reason", *h.Reason)
	}
	return tr(c, "pubcore.cause."+h.Cause)
}

// pubDate shows an RFC 3339 output time as its local date.
func pubDate(s string) string {
	if len(s) >= 10 {
		return s[:10]
	}
	return s
}

// handleRedList lists vendors graded A, best score first.
func (ps *publicSite) handleRedList(c echo.Context) error {
	page := 1
	if n, err := strconv.Atoi(c.QueryParam("page")); err == nil && n >= 1 {
		page = n
	}
	res, err := ps.catalog.Search(c.Request().Context(), publicity.SearchQuery{Grade: "A", Sort: publicity.SortScore, Page: page, PerPage: 50})
	if err != nil {
		return err
	}
	v := views.PubListView{Page: ps.page(c, tr(c, "pub.red.title"), tr(c, "pub.red.description")), Lead: tr(c, "pub.red.lead"),
		Total: res.Total, Hits: ps.hitRows(c, res.Hits), Pager: pagerFor(c, res.Total, page, 50)}
	return ps.render(c, http.StatusOK, views.PublicRedListPage(v))
}

// handleBlackList lists blacklist entries on display with dates and reasons.
func (ps *publicSite) handleBlackList(c echo.Context) error {
	entries, err := publicity.BlackList(c.Request().Context(), ps.s.db, ps.s.now())
	if err != nil {
		return err
	}
	v := views.PubListView{Page: ps.page(c, tr(c, "pub.black.title"), tr(c, "pub.black.description")), Lead: tr(c, "pub.black.lead"), Total: len(entries)}
	for _, e := range entries {
		row := views.PubBlackListRow{USCC: e.USCC, Name: e.Name, URL: "/vendors/" + e.USCC, Issued: dateText(e.IssuedAt),
			Until: tr(c, "pub.black.until_lifted"), Reason: e.Summary, Reference: e.Reference, Authority: e.Authority}
		if e.Authority == "" {
			row.Authority = tr(c, "sanctions.not_recorded")
		}
		if e.DisplayUntil != nil {
			row.Until = dateText(*e.DisplayUntil)
		}
		v.Black = append(v.Black, row)
	}
	return ps.render(c, http.StatusOK, views.PublicBlackListPage(v))
}

// handleOrgs lists organisations with their active member counts.
func (ps *publicSite) handleOrgs(c echo.Context) error {
	orgs, err := ps.s.db.FindOrgs(c.Request().Context(), "")
	if err != nil {
		return err
	}
	v := views.PubOrgsView{Page: ps.page(c, tr(c, "pub.orgs.title"), tr(c, "pub.orgs.description"))}
	for _, o := range orgs {
		v.Rows = append(v.Rows, views.PubOrgRow{USCC: o.USCC, Name: o.Name, URL: "/orgs/" + o.USCC, Kind: tr(c, "kind."+o.Kind),
			District: districtNames([]string{o.District}, lang(c)), Members: o.Members})
	}
	return ps.render(c, http.StatusOK, views.PublicOrgsPage(v))
}

// handleOrg shows an organisation and a page of its active members.
func (ps *publicSite) handleOrg(c echo.Context) error {
	code := pubCode(c)
	if code == "" {
		return ps.notFound(c)
	}
	ctx := c.Request().Context()
	o, err := ps.s.db.FindOrgByUSCC(ctx, code)
	if publicity.IsNotFound(err) {
		return ps.notFound(c)
	}
	if err != nil {
		return err
	}
	page := 1
	if n, err := strconv.Atoi(c.QueryParam("page")); err == nil && n >= 1 {
		page = n
	}
	members, total, err := publicity.OrgMembers(ctx, ps.s.db, o.ID, page, 50)
	if err != nil {
		return err
	}
	v := views.PubOrgView{Page: ps.page(c, o.Name, tr(c, "pub.org.description", o.Name)), USCC: o.USCC, Name: o.Name,
		Kind: tr(c, "kind."+o.Kind), District: districtNames([]string{o.District}, lang(c)), Total: total,
		Pager: pagerFor(c, total, page, 50)}
	for _, m := range members {
		r := views.PubHit{USCC: m.USCC, Name: m.Name, URL: "/vendors/" + m.USCC, Status: m.Status, GradeLabel: pubGradeLabel(c, ""),
			Categories: tr(c, "pub.profile.since", dateText(m.Since))}
		if m.HasGrade() {
			setHitGrade(c, &r, m.Headline)
		}
		if m.Status != registry.VendorActive {
			r.StatusLabel = tr(c, "status."+m.Status)
		}
		v.Members = append(v.Members, r)
	}
	return ps.render(c, http.StatusOK, views.PublicOrgPage(v))
}
