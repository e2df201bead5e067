package main

import (
	"context"
	"fmt"
	"time"

	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/registry/synth"
)

// demoStory plays the months before today on the demo database, event by
// event at their own instants, through the same registry methods the
// console, the API and the CLI use: regulator decisions, fresh hotline
// complaints, three monthly publication runs, objections, replies, an
// override and a blacklisting. Its clock is the database's while it plays
// (db.Now reads it), and every instant is an offset from the start of
// today, so one seed gives the same city, grades and open data all day.
type demoStory struct {
	ctx  context.Context
	db   *registry.DB
	now  time.Time   // the story's clock
	day  time.Time   // the start of today: the city's present
	runs []time.Time // the three monthly runs, oldest first
	// vendors is a deterministic pool (by name, then code) the story
	// picks from; used marks the ones already given a part.
	vendors []registry.Vendor
	used    map[int64]bool
	// What the story made, for the tests and the log.
	Login       registry.Vendor // the demo vendor account's vendor
	Downgraded  []registry.Vendor
	complaints  map[int64][]string // work orders of the fresh complaints per vendor
	Blacklisted registry.Vendor
	Overridden  registry.Vendor
}

// Demo actors: the demo regulator account, the hotline's ingest token and
// vendors acting in their console.
var (
	demoRegulator = registry.Actor{Kind: "user", Name: "regulator", Role: registry.RoleRegulator}
	demoHotline   = registry.Actor{Kind: "token", Name: "8890-hotline"}
)

func demoVendorActor(v registry.Vendor, login bool) registry.Actor {
	if login {
		return registry.Actor{Kind: "user", Name: "vendor", Role: registry.RoleVendor}
	}
	return registry.Actor{Kind: "user", Name: "vendor-" + v.USCC[8:17], Role: registry.RoleVendor}
}

// at moves the story's clock; instants never go backwards.
func (s *demoStory) at(t time.Time) {
	if t.After(s.now) {
		s.now = t
	}
}

// eventAfterRun is the k-th of ten instants spread between the latest run
// and today, all inside that run's objection period.
func (s *demoStory) eventAfterRun(k int) time.Time {
	last := s.runs[len(s.runs)-1]
	span := min(s.day.Sub(last), 13*24*time.Hour)
	return last.Add(span * time.Duration(k) / 10).Truncate(time.Minute)
}

// play runs the whole story after the city was generated.
func (s *demoStory) play(st synth.Stats) error {
	vs, _, err := s.db.FindVendors(s.ctx, registry.VendorFilter{PerPage: 100})
	if err != nil {
		return err
	}
	s.vendors, s.used, s.complaints = vs, map[int64]bool{}, map[int64][]string{}
	if err := s.earlierSanctions(); err != nil {
		return err
	}
	for i, run := range s.runs {
		if i == len(s.runs)-1 {
			// Between the last two runs the hotline reports verified
			// complaints against a few vendors in good standing: the last
			// run finds them worse, so they get pending downgrades.
			if err := s.freshComplaints(); err != nil {
				return err
			}
		}
		s.at(run)
		if _, err := publicity.Publish(s.ctx, s.db, demoActor, run); err != nil {
			return fmt.Errorf("demo: publication run %s: %w", registry.Period(run), err)
		}
	}
	if err := s.dueProcess(); err != nil {
		return err
	}
	if err := s.blacklisting(); err != nil {
		return err
	}
	s.at(s.day)
	if _, err := s.db.PublishMaturedPending(s.ctx, demoActor); err != nil {
		return fmt.Errorf("demo: pending downgrades: %w", err)
	}
	// What the story marked for re-evaluation is evaluated now, at today's
	// start, so the server's evaluator finds nothing left to do.
	for {
		n, err := s.db.ProcessMarks(s.ctx, 500, s.day)
		if err != nil {
			return fmt.Errorf("demo: evaluate: %w", err)
		}
		if n == 0 {
			break
		}
	}
	if _, err := s.db.Rescore(s.ctx, registry.RescoreOptions{AsOf: s.day}); err != nil {
		return fmt.Errorf("demo: evaluate: %w", err)
	}
	if s.Login.ID == 0 {
		s.Login, _ = s.db.FindVendorByUSCC(s.ctx, st.FirstVendor)
	}
	return nil
}

// pick returns the next vendor of the pool that ok accepts and that has
// no part yet (false when none is left: a very small demo city).
func (s *demoStory) pick(ok func(registry.Vendor) bool) (registry.Vendor, bool) {
	for _, v := range s.vendors {
		if !s.used[v.ID] && (ok == nil || ok(v)) {
			s.used[v.ID] = true
			return v, true
		}
	}
	return registry.Vendor{}, false
}

// sanction records a regulator decision (issued days before the clock).
func (s *demoStory) sanction(v registry.Vendor, kind string, daysAgo int, ref, summary string) error {
	issued := s.now.AddDate(0, 0, -daysAgo)
	_, err := s.db.CreateSanction(s.ctx, demoRegulator, registry.SanctionInput{VendorUSCC: v.USCC, Kind: kind,
		IssuedAt: registry.FormatOutput(issued), Reference: fmt.Sprintf(ref, issued.In(registry.Shanghai).Year()), Summary: summary})
	if err != nil {
		return fmt.Errorf("demo: %s for %s: %w", kind, v.USCC, err)
	}
	return nil
}

// earlierSanctions are decisions of the year before the first run: they
// count in every run, as sanctions migrated from an earlier system do.
func (s *demoStory) earlierSanctions() error {
	s.at(s.runs[0].Add(-time.Hour))
	list := []struct {
		kind      string
		daysAgo   int
		ref, text string
	}{
		{"warning", 150, "津市监警〔%d〕21号", "未在服务场所公示收费标准，责令改正（演示数据）"},
		{"warning", 40, "津市监警〔%d〕57号", "家政服务员未持健康证上岗，予以警告（演示数据）"},
		{"fine", 230, "津市监罚〔%d〕112号", "虚假宣传“持证月嫂”，罚款人民币五千元（演示数据）"},
		{"fine", 70, "津市监罚〔%d〕148号", "未与消费者签订书面服务合同，罚款人民币二千元（演示数据）"},
		{"serious_penalty", 300, "津市监罚〔%d〕31号", "多次超范围经营且拒不改正，责令停业整顿一个月（演示数据）"},
		{"commendation", 100, "津商务表〔%d〕8号", "获评年度“诚信家政企业”（演示数据）"},
		{"commendation", 60, "津家协表〔%d〕15号", "员工拾金不昧受到市民来信表扬（演示数据）"},
	}
	for _, x := range list {
		v, ok := s.pick(nil)
		if !ok {
			return nil
		}
		if err := s.sanction(v, x.kind, x.daysAgo, x.ref, x.text); err != nil {
			return err
		}
	}
	return nil
}

// freshComplaints ingests three verified, late-closed serious complaints
// for each of three vendors whose published grade is A or B.
func (s *demoStory) freshComplaints() error {
	prev, last := s.runs[len(s.runs)-2], s.runs[len(s.runs)-1]
	s.at(prev.Add(last.Sub(prev) * 2 / 3).Truncate(time.Minute))
	var recs []registry.ComplaintInput
	for n := 0; n < 3; n++ {
		v, ok := s.pick(func(v registry.Vendor) bool {
			p, err := s.db.FindPublished(s.ctx, v.ID)
			return err == nil && (p.Grade == "A" || p.Grade == "B")
		})
		if !ok {
			break
		}
		s.Downgraded = append(s.Downgraded, v)
		for k, ago := range []int{20, 16, 9} {
			received := s.now.AddDate(0, 0, -ago)
			wo := fmt.Sprintf("8890-%s-D%02d%d", received.In(registry.Shanghai).Format("20060102"), n, k)
			s.complaints[v.ID] = append(s.complaints[v.ID], wo)
			recs = append(recs, registry.ComplaintInput{
				WorkOrderNo: wo,
				VendorUSCC:  v.USCC, ReceivedAt: registry.FormatOutput(received), Channel: "phone", Category: v.Categories[0],
				Severity: "serious", Status: "closed", Outcome: "substantiated",
				DeadlineAt: registry.FormatOutput(received.AddDate(0, 0, 3)), ClosedAt: registry.FormatOutput(received.AddDate(0, 0, 5)),
				ServiceOrderNo: fmt.Sprintf("SO-D%02d%d", n, k), Summary: "服务人员未按约定完成服务且拒绝退费（演示数据）",
			})
		}
	}
	sum, err := s.db.IngestComplaints(s.ctx, demoHotline, recs, nil)
	if err != nil {
		return fmt.Errorf("demo: complaints: %w", err)
	}
	if sum.Rejected > 0 {
		return fmt.Errorf("demo: %d complaints rejected: %+v", sum.Rejected, sum.Results)
	}
	return nil
}

// dueProcess is what happens in the days after the last run: objections,
// public replies and their review, a credit-repair application, an
// override. Some cases stay open for the demo regulator to decide.
func (s *demoStory) dueProcess() error {
	var pending []registry.Vendor
	for _, v := range s.Downgraded {
		if p, err := s.db.FindPublished(s.ctx, v.ID); err == nil && p.Pending != nil {
			pending = append(pending, v)
		}
	}
	// The demo vendor account is the first with a pending downgrade.
	if len(pending) > 0 {
		s.Login = pending[0]
	}
	// Objections to pending downgrades: the demo vendor's stays open (its
	// downgrade waits for the regulator); another is decided below.
	var objections []registry.Case
	s.at(s.eventAfterRun(2))
	for i, v := range pending[:min(2, len(pending))] {
		c, err := s.db.ObjectToPendingGrade(s.ctx, demoVendorActor(v, v.ID == s.Login.ID),
			v.ID, []string{"两起投诉涉及的服务订单已全额退款，客户已撤回差评，请求复核等级。（演示数据）",
				"投诉所涉员工已解聘，我公司已完成整改，附整改报告。（演示数据）"}[i], "")
		if err != nil {
			return fmt.Errorf("demo: objection of %s: %w", v.USCC, err)
		}
		objections = append(objections, c)
	}
	// Public replies: two approved, one waiting.
	s.at(s.eventAfterRun(3))
	replies := []struct {
		v    registry.Vendor
		text string
	}{
		{s.Login, "感谢市民监督。涉及投诉的两单服务我们已上门致歉并全额退款，并为全体员工重新开展岗前培训。（演示数据）"},
	}
	for _, text := range []string{"本公司所有保洁员均持健康证上岗，欢迎拨打 8890 监督我们的服务。（演示数据）",
		"我们已按监管部门要求在门店公示收费标准，服务价格透明。（演示数据）"} {
		if v, ok := s.pick(nil); ok {
			replies = append(replies, struct {
				v    registry.Vendor
				text string
			}{v, text})
		}
	}
	var replyCases []registry.Case
	for _, r := range replies {
		if r.v.ID == 0 {
			continue
		}
		c, err := s.db.SubmitReply(s.ctx, demoVendorActor(r.v, r.v.ID == s.Login.ID), r.v.ID, r.text)
		if err != nil {
			return fmt.Errorf("demo: reply of %s: %w", r.v.USCC, err)
		}
		replyCases = append(replyCases, c)
	}
	// An objection to a complaint's outcome (the last fresh complaint of
	// another downgraded vendor), left open.
	s.at(s.eventAfterRun(4))
	for _, v := range s.Downgraded {
		if v.ID == s.Login.ID {
			continue
		}
		if _, err := s.db.ObjectToComplaint(s.ctx, demoVendorActor(v, false), v.ID, s.complaints[v.ID][2],
			"该投诉系客户对服务时间的误解，双方已签订调解协议，请求改为“调解解决”。（演示数据）", ""); err != nil {
			return fmt.Errorf("demo: complaint objection of %s: %w", v.USCC, err)
		}
		break
	}
	// The regulator approves the first replies and decides one objection.
	s.at(s.eventAfterRun(5))
	for _, c := range replyCases[:max(0, len(replyCases)-1)] {
		if err := s.db.DecideCase(s.ctx, demoRegulator, c.ID, registry.DecisionApprove, "回复内容属实，不含他人信息，同意公示。（演示数据）", ""); err != nil {
			return fmt.Errorf("demo: approve reply: %w", err)
		}
	}
	if len(objections) > 1 {
		if err := s.db.DecideCase(s.ctx, demoRegulator, objections[1].ID, registry.DecisionUphold,
			"经核查，两起投诉均属实且超期办结，维持下调。（演示数据）", ""); err != nil {
			return fmt.Errorf("demo: decide objection: %w", err)
		}
	}
	// A credit-repair application for the earlier fine (on display long
	// enough), waiting for the regulator.
	s.at(s.eventAfterRun(6))
	if err := s.repairApplication(); err != nil {
		return err
	}
	// An override while a dispute is investigated.
	s.at(s.eventAfterRun(7))
	if v, ok := s.pick(func(v registry.Vendor) bool {
		p, err := s.db.FindPublished(s.ctx, v.ID)
		return err == nil && (p.Grade == "A" || p.Grade == "B")
	}); ok {
		until := s.day.AddDate(0, 0, 60).In(registry.Shanghai).Format("2006-01-02")
		if err := s.db.SetOverride(s.ctx, demoRegulator, v.ID, "C",
			"该企业涉及多起预付费服务卡纠纷，市场监管部门正在立案调查，调查期间等级暂定为 C。（演示数据）", until); err != nil {
			return fmt.Errorf("demo: override: %w", err)
		}
		s.Overridden = v
	}
	return nil
}

// repairApplication applies for credit repair of the oldest fine.
func (s *demoStory) repairApplication() error {
	for _, v := range s.vendors {
		if !s.used[v.ID] {
			continue
		}
		list, err := s.db.SanctionsOfVendor(s.ctx, v.ID)
		if err != nil {
			return err
		}
		for _, x := range list {
			if x.Kind == "fine" && !s.now.Before(registry.RepairEligibleFrom(x.Kind, x.IssuedAt)) {
				_, err := s.db.ApplyForRepair(s.ctx, demoVendorActor(v, false), v.ID, x.ID,
					"罚款已按期缴纳，已与全部客户补签书面合同，申请信用修复。（演示数据）")
				if err != nil {
					return fmt.Errorf("demo: repair application of %s: %w", v.USCC, err)
				}
				return nil
			}
		}
	}
	return nil
}

// blacklisting: at the start of today the regulator enters a vendor in
// the serious-dishonesty list (decided two days before); it is D at once.
func (s *demoStory) blacklisting() error {
	s.at(s.day)
	v, ok := s.pick(func(v registry.Vendor) bool {
		p, err := s.db.FindPublished(s.ctx, v.ID)
		return err == nil && p.Grade != "" && p.Grade != "D" && p.Pending == nil
	})
	if !ok {
		return nil
	}
	if err := s.sanction(v, "blacklist", 2, "津市监失信〔%d〕3号", "收取预付款后停止经营、拒不退款，涉及消费者四十余名，列入严重违法失信名单（演示数据）"); err != nil {
		return err
	}
	s.Blacklisted = v
	return nil
}
