package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"chengxin/publicity"
	"chengxin/registry"
)

// Search results, the red list, organisation member lists and the home
// page show the grade the profile shows: the published grade once there is
// one (not a newer evaluation), an override in force marked as such, and
// "not yet published" only on grades that are only evaluations.
func TestListsShowPublicGrade(t *testing.T) {
	e := publicEnv(t)
	ctx := context.Background()
	fresh := map[string]string{"Cache-Control": "no-cache"}
	anon := e.client()
	search := "/vendors?q=" + url.QueryEscape("安心家政")
	orgPage := "/orgs/" + e.org.USCC

	r := anon.getWith(search, fresh)
	if note := r.TestID("hit-note"); !strings.Contains(note, "尚未公示") {
		t.Errorf("before publication the hit note = %q, want 尚未公示", note)
	}
	if !strings.Contains(r.Body, "notice-unpublished") {
		t.Error("before publication the results do not explain unpublished grades")
	}
	if !anon.getWith("/", fresh).Has("home-unpublished") {
		t.Error("before publication the home page does not say grades are unpublished")
	}

	if _, err := publicity.Publish(ctx, e.db, registry.CLIActor, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	v, err := e.db.FindVendorByUSCC(ctx, pubAnxin)
	if err != nil {
		t.Fatal(err)
	}
	var published string
	if err := e.rawDB().QueryRow(`SELECT grade FROM published_grades WHERE vendor_id = ?`, v.ID).Scan(&published); err != nil {
		t.Fatal(err)
	}
	newer := "D"
	if published == "D" {
		newer = "C"
	}
	// A newer evaluation (not yet published) must not show on lists.
	if _, err := e.rawDB().Exec(`UPDATE vendor_scores SET grade = ? WHERE vendor_id = ?`, newer, v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rawDB().Exec(`INSERT INTO public_changes(vendor_id) VALUES (?)`, v.ID); err != nil { // as a new evaluation does
		t.Fatal(err)
	}
	for _, page := range []string{search, orgPage} {
		r := anon.getWith(page, fresh)
		hits := r.TestID("search-results") + r.TestID("org-members")
		if !strings.Contains(hits, gradeWord(published)) || strings.Contains(hits, gradeWord(newer)) {
			t.Errorf("%s after publication shows %q, want the published grade %s", page, hits, published)
		}
		if strings.Contains(r.Body, "尚未公示") {
			t.Errorf("%s says 尚未公示 after publication", page)
		}
	}
	if anon.getWith("/", fresh).Has("home-unpublished") {
		t.Error("the home page says grades are unpublished after every vendor was published")
	}
	red := anon.getWith("/lists/red", fresh)
	if inRed := strings.Contains(red.Body, pubAnxin); inRed != (published == "A") || strings.Contains(red.Body, "尚未公示") {
		t.Errorf("red list after publication (published %s): listed %v, says 尚未公示 %v", published, inRed, strings.Contains(red.Body, "尚未公示"))
	}

	reg := registry.Actor{Kind: "user", Name: "reg", Role: registry.RoleRegulator}
	if err := e.db.SetOverride(ctx, reg, v.ID, "C", "涉嫌虚假宣传，调查期间", e.clk.Now().AddDate(0, 1, 0).Format("2006-01-02")); err != nil {
		t.Fatal(err)
	}
	r = anon.getWith(search, fresh)
	if hits := r.TestID("search-results"); !strings.Contains(hits, gradeWord("C")) || !strings.Contains(r.TestID("hit-note"), "人工调整") {
		t.Errorf("under an override the hit = %q, note %q", hits, r.TestID("hit-note"))
	}
	if strings.Contains(anon.getWith("/lists/red", fresh).Body, pubAnxin) {
		t.Error("a vendor overridden to C is still on the red list")
	}

	// The override ends: once the background evaluator notes it, every list
	// and the profile show the published grade again.
	before := e.clk.Now()
	e.clk.Advance(40 * 24 * time.Hour)
	if n, err := e.db.NoteExpiredOverrides(ctx, before, e.clk.Now()); err != nil || n != 1 {
		t.Fatalf("NoteExpiredOverrides = %d, %v", n, err)
	}
	r = anon.getWith(search, fresh)
	if hits := r.TestID("search-results"); !strings.Contains(hits, gradeWord(published)) || strings.Contains(r.Body, "人工调整") {
		t.Errorf("after the override ended the hit = %q", hits)
	}
	if inRed := strings.Contains(anon.getWith("/lists/red", fresh).Body, pubAnxin); inRed != (published == "A") {
		t.Errorf("after the override ended: on the red list %v, published grade %s", inRed, published)
	}
	// The headline drops it; the publication history keeps it as a past entry.
	p := anon.getWith("/vendors/"+pubAnxin, fresh)
	if strings.Contains(p.TestID("profile-grade"), "涉嫌虚假宣传") || p.TestID("headline-grade") != published {
		t.Errorf("the profile's headline after the override ended: %q", p.TestID("profile-grade"))
	}
	if !strings.Contains(p.TestID("published-history"), "涉嫌虚假宣传") {
		t.Errorf("the override is missing from the publication history: %q", p.TestID("published-history"))
	}
}

// gradeWord is how a grade's label begins on public lists ("A 级 · 守信").
func gradeWord(g string) string { return g + " 级" }
