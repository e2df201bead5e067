package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"chengxin/publicity"
	"chengxin/registry"
)

// emptyFacts lists the labels (dt) inside data-testid=id whose value (dd) is
// empty.
func emptyFacts(r *resp, id string) []string {
	var out []string
	for _, sec := range findAll(r.root(), byTestID(id)) {
		for _, div := range findAll(sec, func(n *html.Node) bool {
			return n.Data == "div" && len(findAll(n, byTag("dt"))) == 1 && len(findAll(n, byTag("dd"))) == 1
		}) {
			if text(findAll(div, byTag("dd"))[0]) == "" {
				out = append(out, text(findAll(div, byTag("dt"))[0]))
			}
		}
	}
	return out
}

// A grade override set on a vendor that has no published grade yet is what
// a citizen sees: the override's grade with its reason and the date it was
// set, on the profile, the sticker and the badge alike, and in the JSON. The
// override has no score of its own, so no score line is printed, and no
// label goes without a value; the latest evaluation is explained further
// down in words, never as a second badge, and is not passed off as the
// override's score. Once a publication exists, its score and date stand
// next to the override.
func TestOverrideBeforeFirstPublication(t *testing.T) {
	e := publicEnv(t)
	ctx := context.Background()
	v, err := e.db.FindVendorByUSCC(ctx, pubAnxin)
	if err != nil {
		t.Fatal(err)
	}
	var before publicity.Vendor
	getJSON(t, e.client(), "/api/v1/vendors/"+pubAnxin, 200, &before)
	if before.Grade != nil || before.Evaluation == nil || before.Evaluation.Grade != "A" {
		t.Fatalf("fixture: published grade %v, evaluation %+v", before.Grade, before.Evaluation)
	}
	evalScore := fmt.Sprintf("%.1f", before.Evaluation.Score)

	e.clk.Advance(48 * time.Hour) // set two days after the evaluation: the dates differ
	const setOn, reason = "2025-03-17", "涉嫌虚假宣传，调查期间"
	reg := registry.Actor{Kind: "user", Name: "reg", Role: registry.RoleRegulator}
	if err := e.db.SetOverride(ctx, reg, v.ID, "C", reason, "2025-05-01"); err != nil {
		t.Fatal(err)
	}
	anon := e.client()

	// Profile.
	for _, lang := range []string{"", "?lang=en"} {
		r := e.client().getWith("/vendors/"+pubAnxin+lang, fresh)
		wantStatus(t, r, 200)
		if got := r.TestID("headline-grade"); got != "C" {
			t.Errorf("%s: headline grade = %q, want the override's grade C", lang, got)
		}
		if n := len(findAll(r.root(), byTestID("headline-grade"))); n != 1 {
			t.Errorf("%s: %d grade badges", lang, n)
		}
		head := r.TestID("profile-grade")
		if r.Has("headline-score") || strings.Contains(head, evalScore) {
			t.Errorf("%s: a score next to an override without a publication: %q", lang, head)
		}
		if got := r.TestID("override-set-on"); got != setOn {
			t.Errorf("%s: override set on %q, want %s", lang, got, setOn)
		}
		if empty := emptyFacts(r, "profile-grade"); len(empty) > 0 {
			t.Errorf("%s: labels without a value: %v", lang, empty)
		}
		facts := r.TestID("headline-facts")
		for _, label := range []string{"公示日期", "评分规则版本", "Published on", "Rules version"} {
			if strings.Contains(facts, label) {
				t.Errorf("%s: %q shown without a publication: %q", lang, label, facts)
			}
		}
		for _, blank := range []string{"得分 （满分", "Score out of"} {
			if strings.Contains(head, blank) {
				t.Errorf("%s: an empty score line: %q", lang, head)
			}
		}
		if !strings.Contains(r.TestID("override"), reason) {
			t.Errorf("%s: override notice = %q", lang, r.TestID("override"))
		}
		if r.Has("unpublished") {
			t.Errorf("%s: the override is marked as an unpublished evaluation", lang)
		}
		// The latest evaluation, in words below.
		if ev := r.TestID("eval-summary"); !strings.Contains(ev, evalScore) || !strings.Contains(ev, "A") {
			t.Errorf("%s: latest evaluation = %q", lang, ev)
		}
	}

	// Sticker: the override's grade, not the unpublished evaluation.
	s := anon.getWith("/vendors/"+pubAnxin+"/sticker", fresh)
	wantStatus(t, s, 200)
	if g := s.TestID("sticker-grade"); !strings.HasPrefix(g, "C") {
		t.Errorf("sticker grade = %q, want the override's C", g)
	}
	if s.Has("sticker-score") || strings.Contains(s.TestID("sticker"), evalScore) {
		t.Errorf("sticker shows a score for an override without one: %q", s.TestID("sticker"))
	}
	if o := s.TestID("sticker-override"); !strings.Contains(o, setOn) {
		t.Errorf("sticker override line = %q, want the date %s", o, setOn)
	}
	if note := s.TestID("sticker-note"); strings.Contains(note, "尚未公示") || !strings.Contains(note, "人工调整") {
		t.Errorf("sticker note = %q", note)
	}

	// Badge: the same grade and date, no score.
	b := anon.getWith("/vendors/"+pubAnxin+"/badge.svg", fresh)
	wantStatus(t, b, 200)
	if !strings.Contains(b.Body, ">C<") || !strings.Contains(b.Body, setOn) || strings.Contains(b.Body, evalScore) ||
		strings.Contains(b.Body, "尚未公示") || strings.Contains(b.Body, " 分") {
		t.Errorf("badge under an override without a publication: %s", b.Body)
	}

	// JSON: the grade in force is the override's, with no score or
	// publication date behind it; the override says when it was set.
	var pv publicity.Vendor
	r := getJSON(t, anon, "/api/v1/vendors/"+pubAnxin, 200, &pv)
	if pv.Grade == nil || *pv.Grade != "C" || pv.Score != nil || pv.PublishedAt != nil || pv.GradeNote == nil || *pv.GradeNote != "override" ||
		pv.GradeSince == nil || *pv.GradeSince != setOn+"T10:00:00+08:00" {
		t.Errorf("JSON under an override without a publication: grade %v score %v published_at %v note %v since %v",
			pv.Grade, pv.Score, pv.PublishedAt, pv.GradeNote, pv.GradeSince)
	}
	if o := pv.Override; o == nil || o.Grade != "C" || o.Reason != reason || o.SetAt != setOn+"T10:00:00+08:00" || !strings.HasPrefix(o.Until, "2025-05-01") {
		t.Errorf("JSON override = %+v", pv.Override)
	}
	var raw map[string]map[string]any
	json.Unmarshal([]byte(r.Body), &raw)
	if _, ok := raw["override"]["set_at"]; !ok {
		t.Errorf("JSON override lacks set_at: %s", r.Body)
	}

	// After a publication the override still rules, next to the published
	// score and date.
	if _, err := publicity.Publish(ctx, e.db, registry.CLIActor, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	p := anon.getWith("/vendors/"+pubAnxin, fresh)
	if p.TestID("headline-grade") != "C" || !p.Has("headline-score") || p.TestID("override-set-on") != setOn ||
		!strings.Contains(p.TestID("headline-facts"), "公示日期 2025-03-17") {
		t.Errorf("profile under an override after a publication: %q / %q", p.TestID("headline"), p.TestID("headline-facts"))
	}
	if empty := emptyFacts(p, "profile-grade"); len(empty) > 0 {
		t.Errorf("labels without a value after a publication: %v", empty)
	}
	s = anon.getWith("/vendors/"+pubAnxin+"/sticker", fresh)
	if !strings.HasPrefix(s.TestID("sticker-grade"), "C") || !strings.Contains(s.TestID("sticker-score"), "公示日期 2025-03-17") ||
		!strings.Contains(s.TestID("sticker-override"), setOn) {
		t.Errorf("sticker under an override after a publication: %q", s.TestID("sticker"))
	}
	b = anon.getWith("/vendors/"+pubAnxin+"/badge.svg", fresh)
	if !strings.Contains(b.Body, ">C<") || !strings.Contains(b.Body, "人工调整") || strings.Contains(b.Body, "尚未公示") {
		t.Errorf("badge under an override after a publication: %s", b.Body)
	}
}

// A published grade's badge says it is published (it used to say
// "evaluated … (not yet published)" for every grade).
func TestBadgeSaysPublished(t *testing.T) {
	e := publicEnv(t)
	if _, err := publicity.Publish(context.Background(), e.db, registry.CLIActor, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	b := e.client().getWith("/vendors/"+pubAnxin+"/badge.svg", fresh)
	wantStatus(t, b, 200)
	if strings.Contains(b.Body, "尚未公示") || !strings.Contains(b.Body, "2025-03-15 公示") || !strings.Contains(b.Body, ">A<") {
		t.Errorf("badge of a published grade: %s", b.Body)
	}
}
