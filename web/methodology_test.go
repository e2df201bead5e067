package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/scoring"
	"chengxin/web"
)

// TestMethodologyFromState: the methodology says where publication stands
// from the database and the scheduler's configuration (latest run, next
// run, rules in force since when) and explains the weights of the rules in
// force; adopting other rules changes every figure they touch.
func TestMethodologyFromState(t *testing.T) {
	sched := publicity.Schedule{EvaluateAt: time.Hour, PublishDay: 5, PublishAt: 3*time.Hour + 30*time.Minute}
	e := newEnv(t, func(c *web.Config) { c.Schedule = &sched })
	ctx := context.Background()
	c := e.client()
	r := c.get("/methodology")
	wantStatus(t, r, http.StatusOK)
	for id, want := range map[string]string{
		"method-latest-run":     "尚未公示",
		"method-next-run":       "第一次公示由监管部门决定启动；此后每月 5 日 03:30（北京时间）自动公示",
		"method-rules-in-force": "HSCS-1.0（内置模型），自 ",
	} {
		if got := r.TestID(id); !strings.Contains(got, want) {
			t.Errorf("before any run, %s = %q, want %q", id, got, want)
		}
	}
	for _, stale := range []string{"尚未启用", "not running yet"} {
		if strings.Contains(r.Body, stale) {
			t.Errorf("the methodology still says %q", stale)
		}
	}

	// A run on the 5th at 03:30: it is the latest, the next is a month on,
	// and the built-in rules have been in force since (at the latest) then.
	run := time.Date(2025, 3, 5, 3, 30, 0, 0, registry.Shanghai)
	if _, err := publicity.Publish(ctx, e.db, registry.CLIActor, run); err != nil {
		t.Fatal(err)
	}
	r = c.getWith("/methodology", fresh)
	for id, want := range map[string]string{
		"method-latest-run":     "2025-03-05 03:30（2025-03 期，1 家商户）",
		"method-next-run":       "2025-04-05 03:30（每月 5 日 03:30，北京时间）",
		"method-rules-in-force": "HSCS-1.0（内置模型），自 2025-03-05 起施行",
	} {
		if got := r.TestID(id); got != want {
			t.Errorf("after a run, %s = %q, want %q", id, got, want)
		}
	}
	if !strings.Contains(r.TestID("method-publication"), "每月的公示") {
		t.Errorf("publication rules: %q", r.TestID("method-publication"))
	}

	// Other rules, adopted now: their weights and their date show.
	next := scoring.DefaultRules()
	next.Version = "HSCS-1.1-test"
	next.Grades.A, next.Satisfaction.HalfLifeDays, next.Complaints.Severity.Serious = 92, 90, 3
	next.Complaints.Outcome.Withdrawn, next.Regulatory.Points.Fine, next.Publication.ObjectionDays = 0.2, 6, 10
	next.Complaints.PriorExposure = 3
	if err := e.db.AdoptRules(ctx, registry.CLIActor, next); err != nil {
		t.Fatal(err)
	}
	r = c.getWith("/methodology", fresh)
	if got, want := r.TestID("method-rules-in-force"), "HSCS-1.1-test，自 2025-03-15 起施行"; got != want {
		t.Errorf("rules in force %q, want %q", got, want)
	}
	for _, want := range []string{"≥ 92", "每过 90 天分量减半", "较重计 3", "撤回的按 0.2", "罚款 6 分", "10 天的异议期", "相当于已有 3000 单服务"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("after adopting other rules, the methodology lacks %q", want)
		}
	}
	if strings.Contains(r.Body, "未核实、撤回或不属商户责任的投诉不扣分") {
		t.Error("the methodology says withdrawn complaints cost nothing under rules where they cost 0.2")
	}
	en := c.getWith("/methodology?lang=en", fresh)
	for id, want := range map[string]string{
		"method-latest-run":     "2025-03-05 03:30 (period 2025-03, vendors: 1)",
		"method-next-run":       "2025-04-05 03:30 (day 5 of each month at 03:30, Beijing time)",
		"method-rules-in-force": "HSCS-1.1-test, in force since 2025-03-15",
	} {
		if got := en.TestID(id); got != want {
			t.Errorf("in English, %s = %q, want %q", id, got, want)
		}
	}

	// Without a scheduler in this process, cron starts the runs.
	off := newEnv(t)
	if got := off.client().get("/methodology").TestID("method-next-run"); !strings.Contains(got, "cron") {
		t.Errorf("scheduler off: next run %q", got)
	}
}
