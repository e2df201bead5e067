package web_test

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/scoring"
)

// vendorState is one random public state of a vendor, written straight
// into the tables the headline is read from.
type vendorState struct {
	uscc string
	// latest evaluation
	evaluated         bool
	evalGrade         string
	evalScore         float64
	published         bool
	pubGrade, pubNote string
	pubScore          float64
	pubAt, since      time.Time
	pending           string // "" none
	override          string // "" none
	overrideInForce   bool
	overrideSet       time.Time
}

// expected is what every surface must say about s at now, by CONTRACT's
// rule, written out independently of the code under test.
func (s vendorState) expected() (grade, score, date string, provisional bool) {
	switch {
	case s.override != "" && s.overrideInForce:
		grade = s.override
		if s.published {
			date = s.pubAt.In(registry.Shanghai).Format("2006-01-02")
			if s.override != "N" && s.pubGrade != "N" { // an N publication has no score to show
				score = fmt.Sprintf("%.1f", s.pubScore)
			}
		}
	case s.published:
		grade, date = s.pubGrade, s.pubAt.In(registry.Shanghai).Format("2006-01-02")
		if s.pubGrade != "N" {
			score = fmt.Sprintf("%.1f", s.pubScore)
		}
	case s.evaluated:
		grade, provisional = s.evalGrade, true
		if s.evalGrade != "N" {
			score = fmt.Sprintf("%.1f", s.evalScore)
		}
	}
	return grade, score, date, provisional
}

var grades = []string{"A", "B", "C", "D", "N"}

func randomState(rng *rand.Rand, uscc string, now time.Time) vendorState {
	s := vendorState{uscc: uscc}
	day := func() time.Time {
		return now.Add(-time.Duration(1+rng.IntN(400)) * 24 * time.Hour).Truncate(time.Second)
	}
	score := func() float64 { return float64(300+rng.IntN(700)) / 10 }
	if s.evaluated = rng.IntN(10) < 9; s.evaluated {
		s.evalGrade, s.evalScore = grades[rng.IntN(5)], score()
	}
	if s.published = s.evaluated && rng.IntN(10) < 6; s.published {
		s.pubGrade, s.pubScore = grades[rng.IntN(5)], score()
		s.pubNote = []string{"", "", "a_requirements", "cap_C", "cap_D", "held", "review"}[rng.IntN(7)]
		s.pubAt = day()
		s.since = s.pubAt.Add(-time.Duration(rng.IntN(90)) * 24 * time.Hour)
		if rng.IntN(3) == 0 {
			s.pending = grades[rng.IntN(4)]
		}
	}
	if rng.IntN(4) == 0 {
		s.override, s.overrideInForce, s.overrideSet = grades[rng.IntN(5)], rng.IntN(3) > 0, day()
	}
	return s
}

// write stores s for vendor id through a raw connection (the triggers
// record the public change as any write does).
func (s vendorState) write(t *testing.T, db *sql.DB, id, runID int64, now time.Time) {
	t.Helper()
	st := func(t time.Time) string { return registry.FormatStorage(t) }
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`DELETE FROM pending_downgrades WHERE vendor_id = ?`, id)
	exec(`DELETE FROM grade_overrides WHERE vendor_id = ?`, id)
	exec(`DELETE FROM published_grades WHERE vendor_id = ?`, id)
	exec(`DELETE FROM vendor_scores WHERE vendor_id = ?`, id)
	rules := scoring.DefaultRules()
	if s.evaluated {
		reasons := []string{}
		if s.evalGrade == "N" {
			reasons = []string{"insufficient_evidence"}
		}
		body, _ := json.Marshal(map[string]any{"score_grade": scoring.GradeForScore(rules.Grades, s.evalScore), "components": map[string]any{},
			"reasons": reasons, "evidence": map[string]any{}, "status": "active"})
		var evID int64
		err := db.QueryRow(`INSERT INTO evaluations(vendor_id, as_of, rules_version, rules_hash, score, grade, body, created_at) VALUES (?,?,?,?,?,?,?,?) RETURNING id`,
			id, st(now.Add(-time.Hour)), rules.Version, rules.Hash(), s.evalScore, s.evalGrade, string(body), st(now)).Scan(&evID)
		if err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO vendor_scores(vendor_id, evaluation_id, as_of, evaluated_at, rules_version, rules_hash, material_hash, score, grade, reasons,
			callbacks_weight, satisfaction_value, complaint_points, exposure) VALUES (?,?,?,?,?,?,0,?,?,?,0,0,0,0)`,
			id, evID, st(now.Add(-time.Hour)), st(now.Add(-time.Hour)), rules.Version, rules.Hash(), s.evalScore, s.evalGrade, strings.Join(reasons, ","))
	}
	if s.published {
		var pubID int64
		err := db.QueryRow(`INSERT INTO grade_publications(vendor_id, at, grade, score, grade_note, rules_version, action, cause, run_id, actor)
			VALUES (?,?,?,?,?,?,'unchanged','run',?,'test') RETURNING id`, id, st(s.pubAt), s.pubGrade, s.pubScore, s.pubNote, rules.Version, runID).Scan(&pubID)
		if err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO published_grades(vendor_id, grade, score, published_at, grade_since, grade_note, rules_version, publication_id)
			VALUES (?,?,?,?,?,?,?,?)`, id, s.pubGrade, s.pubScore, st(s.pubAt), st(s.since), s.pubNote, rules.Version, pubID)
		if s.pending != "" {
			exec(`INSERT INTO pending_downgrades(vendor_id, grade, score, run_id, public_after) VALUES (?,?,?,?,?)`,
				id, s.pending, 50.0, runID, st(now.Add(5*24*time.Hour)))
		}
	}
	if s.override != "" {
		until := now.Add(30 * 24 * time.Hour)
		if !s.overrideInForce {
			until = now.Add(-24 * time.Hour)
		}
		exec(`INSERT INTO grade_overrides(vendor_id, grade, reason, until, set_by, set_at) VALUES (?,?,?,?,?,?)`,
			id, s.override, "随机状态的调整理由", st(until), "test", st(s.overrideSet))
	}
}

var (
	scoreIn      = regexp.MustCompile(`\d+\.\d`)
	badgeScoreIn = regexp.MustCompile(`(\d+\.\d) 分`)
	dateIn       = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
	pendingIn    = regexp.MustCompile(`([A-D]) 级`)
)

func first(re *regexp.Regexp, s string) string { return re.FindString(s) }

// For random vendor states — published or not, N, notes, pending
// downgrades better or worse than the grade in force, overrides in force or
// ended — the profile's headline, the search result row, the badge, the
// JSON and the open-data row state the same grade, score and publication
// date, the one CONTRACT defines; a pending notice never names a grade
// better than the one in force.
func TestHeadlineAgreesEverywhere(t *testing.T) {
	e := newEnv(t)
	raw := e.rawDB()
	now := e.clk.Now()
	var runID int64
	err := raw.QueryRow(`INSERT INTO publication_runs(period, as_of, status, started_at, finished_at, actor, rules_version, vendors)
		VALUES ('2024-12', ?, 'done', ?, ?, 'test', 'HSCS-1.0', 0) RETURNING id`, registry.FormatStorage(now.AddDate(0, -3, 0)),
		registry.FormatStorage(now.AddDate(0, -3, 0)), registry.FormatStorage(now.AddDate(0, -3, 0))).Scan(&runID)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 2025))
	const vendors, rounds = 12, 12
	var ids []int64
	var codes []string
	for i := 0; i < vendors; i++ {
		code := registry.MustUSCC(fmt.Sprintf("9112010%010d", 7000+i))
		v := e.createVendor(code, fmt.Sprintf("天津测试%02d号家政服务有限公司", i))
		ids, codes = append(ids, v.ID), append(codes, code)
	}
	c := e.client()
	covered := map[string]bool{}
	for round := 0; round < rounds; round++ {
		states := make([]vendorState, vendors)
		for i := range states {
			s := randomState(rng, codes[i], now)
			s.write(t, raw, ids[i], runID, now)
			states[i] = s
			for _, c := range []struct {
				name string
				cond bool
			}{
				{"override over a publication", s.override != "" && s.overrideInForce && s.published},
				{"override alone", s.override != "" && s.overrideInForce && !s.published},
				{"override N over a publication", s.override == "N" && s.overrideInForce && s.published},
				{"ended override", s.override != "" && !s.overrideInForce},
				{"published N", s.published && s.pubGrade == "N"},
				{"grade note", s.published && s.pubNote != ""},
				{"pending worse", s.pending != "" && scoring.WorseGrade(s.pending, s.pubGrade)},
				{"pending not worse", s.pending != "" && !scoring.WorseGrade(s.pending, s.pubGrade)},
				{"provisional N", !s.published && s.evaluated && s.evalGrade == "N"},
				{"provisional", !s.published && s.evaluated && s.evalGrade != "N"},
				{"never evaluated", !s.evaluated},
			} {
				covered[c.name] = covered[c.name] || c.cond
			}
		}
		csvBody := c.getWith("/open-data/vendors.csv", fresh).Body
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvBody, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		csvRow := map[string][]string{}
		for _, r := range rows {
			csvRow[r[0]] = r
		}
		for i, s := range states {
			grade, score, date, provisional := s.expected()
			name := fmt.Sprintf("round %d vendor %d %+v", round, i, s)
			// Profile.
			p := c.getWith("/vendors/"+s.uscc, fresh)
			wantStatus(t, p, http.StatusOK)
			if got := p.TestID("headline-grade"); got != grade {
				t.Errorf("%s: profile grade %q, want %q", name, got, grade)
			}
			if got := first(scoreIn, p.TestID("headline-score")); got != score {
				t.Errorf("%s: profile score %q, want %q", name, got, score)
			}
			if got := p.TestID("headline-published-on"); got != date {
				t.Errorf("%s: profile date %q, want %q", name, got, date)
			}
			if n := len(findAll(p.root(), byTestID("headline-grade"))); grade != "" && n != 1 {
				t.Errorf("%s: %d grade badges", name, n)
			}
			if p.Has("unpublished") != provisional {
				t.Errorf("%s: marked unpublished %v", name, p.Has("unpublished"))
			}
			if pend := p.TestID("pending"); pend != "" {
				if m := pendingIn.FindStringSubmatch(pend); m == nil || !scoring.WorseGrade(m[1], grade) || s.pending != m[1] {
					t.Errorf("%s: pending notice %q next to grade %s", name, pend, grade)
				}
			} else if s.pending != "" && scoring.WorseGrade(s.pending, grade) && !provisional {
				t.Errorf("%s: no notice of the pending downgrade to %s", name, s.pending)
			}
			// Search result row.
			hits := findAll(c.getWith("/vendors?q="+s.uscc, fresh).root(), byTestID("hit"))
			if len(hits) != 1 {
				t.Fatalf("%s: %d hits", name, len(hits))
			}
			rowGrade := ""
			if g := findAll(hits[0], byTestID("hit-grade")); len(g) == 1 {
				rowGrade, _ = attr(g[0], "data-grade")
			}
			rowScore, rowDate := "", ""
			if sc := findAll(hits[0], byTestID("hit-score")); len(sc) == 1 {
				rowScore = first(scoreIn, text(sc[0]))
			}
			if d := findAll(hits[0], byTestID("hit-date")); len(d) == 1 {
				rowDate = first(dateIn, text(d[0]))
			}
			if rowGrade != grade || rowScore != score || rowDate != date {
				t.Errorf("%s: list row %q %q %q, want %q %q %q", name, rowGrade, rowScore, rowDate, grade, score, date)
			}
			// Badge.
			b := c.getWith("/vendors/"+s.uscc+"/badge.svg", fresh).Body
			letter := ""
			if m := badgeLetter.FindStringSubmatch(b); m != nil && m[1] != "–" {
				letter = m[1]
			}
			badgeScore := ""
			if m := badgeScoreIn.FindStringSubmatch(b); m != nil {
				badgeScore = m[1]
			}
			if letter != grade || badgeScore != score {
				t.Errorf("%s: badge %q %q, want %q %q", name, letter, badgeScore, grade, score)
			}
			if date != "" && s.override == "" && !strings.Contains(b, date) {
				t.Errorf("%s: badge lacks the publication date %s", name, date)
			}
			// JSON.
			var v publicity.Vendor
			if err := json.Unmarshal([]byte(c.getWith("/api/v1/vendors/"+s.uscc, fresh).Body), &v); err != nil {
				t.Fatal(err)
			}
			jGrade, jScore, jDate := "", "", ""
			if v.Grade != nil {
				jGrade = *v.Grade
			}
			if v.Score != nil {
				jScore = fmt.Sprintf("%.1f", *v.Score)
			}
			if v.PublishedAt != nil {
				jDate = (*v.PublishedAt)[:10]
			}
			wantJSON, wantJSONScore := grade, score
			if provisional {
				wantJSON, wantJSONScore = "", ""
			}
			if jGrade != wantJSON || jScore != wantJSONScore || jDate != date {
				t.Errorf("%s: JSON %q %q %q, want %q %q %q", name, jGrade, jScore, jDate, wantJSON, wantJSONScore, date)
			}
			if v.Pending != nil && !scoring.WorseGrade(v.Pending.Grade, grade) {
				t.Errorf("%s: JSON pending %s next to grade %s", name, v.Pending.Grade, grade)
			}
			if (v.GradeNote != nil && *v.GradeNote == "override") != (s.override != "" && s.overrideInForce) {
				t.Errorf("%s: JSON grade note %v", name, v.GradeNote)
			}
			// Open data.
			r := csvRow[s.uscc]
			if r == nil {
				t.Fatalf("%s: no open-data row", name)
			}
			if r[5] != wantJSON || r[6] != wantJSONScore || (r[7] != "" && r[7][:10] != date) || (r[7] == "") != (date == "") {
				t.Errorf("%s: open data %q %q %q, want %q %q %q", name, r[5], r[6], r[7], wantJSON, wantJSONScore, date)
			}
		}
	}
	for name, ok := range covered {
		if !ok {
			t.Errorf("no random state covered %q: change the seed", name)
		}
	}
}
