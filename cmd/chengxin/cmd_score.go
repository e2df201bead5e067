package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"chengxin/registry"
	"chengxin/scoring"
)

// parseDate reads DATE: YYYY-MM-DD (midnight Asia/Shanghai) or RFC 3339.
func parseDate(flagName, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, _, err := registry.ParseInstant(s)
	if err != nil {
		return t, usageError("-%s: %q is not YYYY-MM-DD or RFC 3339", flagName, s)
	}
	return t, nil
}

func cmdRescore(ctx context.Context, e *env, args []string) error {
	fs, dbPath := newFlagSet(e, "rescore", "[-as-of DATE] [-rules FILE [-dry-run]]")
	asOfFlag := fs.String("as-of", "", "evaluate at DATE (YYYY-MM-DD, midnight Asia/Shanghai, or RFC 3339); default now")
	rulesFile := fs.String("rules", "", "a candidate rules file (JSON); without -dry-run it is adopted (audited) and used")
	dryRun := fs.Bool("dry-run", false, "with -rules: print the grade transition matrix and the biggest movers, store nothing")
	workers := fs.Int("workers", runtime.NumCPU(), "evaluation goroutines")
	compare := fs.Bool("compare-aggregate", false, "also time one SQL GROUP BY vendor aggregate over the same records (benchmark floor)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	asOf, err := parseDate("as-of", *asOfFlag)
	if err != nil {
		return err
	}
	if *dryRun && *rulesFile == "" {
		return usageError("rescore: -dry-run needs -rules FILE (the candidate to compare with the current rules)")
	}
	db, err := openDB(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	opt := registry.RescoreOptions{AsOf: asOf, DryRun: *dryRun, Workers: *workers}
	if *rulesFile != "" {
		body, err := os.ReadFile(*rulesFile)
		if err != nil {
			return &exitError{code: 1, msg: err.Error()}
		}
		rules, err := scoring.ParseRules(body)
		if err != nil {
			return &exitError{code: 1, msg: fmt.Sprintf("rules %s: %v", *rulesFile, err)}
		}
		opt.Rules = &rules
		if !*dryRun {
			if err := db.AdoptRules(ctx, registry.CLIActor, rules); err != nil {
				return &exitError{code: 1, msg: err.Error()}
			}
			fmt.Fprintf(e.stderr, "adopted rules %s (%s)\n", rules.Version, rules.Hash())
		}
	}
	if *compare {
		vendors, records, took, err := db.AggregateRecords(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "aggregate: GROUP BY vendor over %d records of %d vendors in %s\n", records, vendors, took.Round(time.Millisecond))
	}
	total, err := db.CountVendors(ctx)
	if err != nil {
		return err
	}
	if isTerminal(e.stderr) {
		bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(e.stderr), progressbar.OptionSetDescription("evaluating"),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
		opt.Progress = func(done int) { bar.Set(done) }
		defer bar.Finish()
	}
	stop, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	st, err := db.Rescore(ctx, opt)
	stop()
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	verb := "evaluated"
	if *dryRun {
		verb = "what-if evaluated"
	}
	fmt.Fprintf(e.stdout, "%s %d vendors (%d records) in %s; %d evaluations stored\n", verb, st.Vendors, st.Records, st.Took.Round(time.Millisecond), st.Stored)
	printTransitions(e.stdout, st, *dryRun)
	if *dryRun {
		printMovers(e.stdout, st.Movers)
	}
	return nil
}

var gradeOrder = []string{"A", "B", "C", "D", "N"}

// printTransitions prints the grade transition matrix: rows are the grade
// before, columns the grade after.
func printTransitions(w io.Writer, st registry.RescoreStats, dryRun bool) {
	from := "before"
	if dryRun {
		from = "current rules"
	}
	counts := map[[2]string]int{}
	rowsHave := map[string]bool{}
	for _, t := range st.Transitions {
		counts[[2]string{t.From, t.To}] = t.Vendors
		rowsHave[t.From] = true
	}
	tw := tabwriter.NewWriter(w, 4, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s \\ after\t%s\t\n", from, strings.Join(gradeOrder, "\t"))
	for _, g := range append([]string{""}, gradeOrder...) {
		if !rowsHave[g] {
			continue
		}
		label := g
		if g == "" {
			label = "(none)"
		}
		fmt.Fprintf(tw, "%s", label)
		for _, to := range gradeOrder {
			fmt.Fprintf(tw, "\t%d", counts[[2]string{g, to}])
		}
		fmt.Fprintln(tw, "\t")
	}
	tw.Flush()
}

func printMovers(w io.Writer, ms []registry.Mover) {
	if len(ms) == 0 {
		fmt.Fprintln(w, "no vendor's score moves")
		return
	}
	fmt.Fprintln(w, "biggest movers:")
	tw := tabwriter.NewWriter(w, 4, 0, 2, ' ', 0)
	for _, m := range ms {
		fmt.Fprintf(tw, "%s\t%s\t%.1f %s → %.1f %s\t%+.1f\n", m.USCC, m.Name, m.FromScore, m.FromGrade, m.ToScore, m.ToGrade, m.ToScore-m.FromScore)
	}
	tw.Flush()
}

// explainJSON is docs/CONTRACT.md's `explain -json` object.
type explainJSON struct {
	USCC         string             `json:"uscc"`
	AsOf         string             `json:"as_of"`
	RulesVersion string             `json:"rules_version"`
	RulesHash    string             `json:"rules_hash"`
	Score        float64            `json:"score"`
	Grade        string             `json:"grade"`
	Components   scoring.Components `json:"components"`
	Reasons      []string           `json:"reasons"`
	Evidence     scoring.Evidence   `json:"evidence"`
}

func cmdExplain(ctx context.Context, e *env, args []string) error {
	fs, dbPath := newFlagSet(e, "explain", "USCC [-as-of DATE] [-json]")
	asOfFlag := fs.String("as-of", "", "evaluate at DATE (YYYY-MM-DD or RFC 3339); default now")
	asJSON := fs.Bool("json", false, "print exactly one JSON object")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usageError("explain: one USCC is required")
	}
	asOf, err := parseDate("as-of", *asOfFlag)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if asOf.IsZero() {
		asOf = db.Now()
	}
	v, err := db.FindVendorByUSCC(ctx, pos[0])
	if err != nil {
		return &exitError{code: 1, msg: fmt.Sprintf("explain: no vendor %s", registry.NormalizeUSCC(pos[0]))}
	}
	rules, err := db.CurrentRules(ctx)
	if err != nil {
		return err
	}
	in, err := db.LoadInputs(ctx, v.ID)
	if err != nil {
		return err
	}
	ev := scoring.Evaluate(rules, in, asOf)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		return enc.Encode(explainJSON{USCC: v.USCC, AsOf: registry.FormatOutput(ev.AsOf), RulesVersion: ev.RulesVersion,
			RulesHash: ev.RulesHash, Score: ev.Score, Grade: ev.Grade, Components: ev.Components, Reasons: ev.Reasons, Evidence: ev.Evidence})
	}
	priors, err := db.CityPriors(ctx)
	if err != nil {
		return err
	}
	printExplanation(e.stdout, v, rules, ev, priors)
	return nil
}

func printExplanation(w io.Writer, v registry.Vendor, rules scoring.Rules, ev scoring.Evaluation, p registry.CityPriors) {
	fmt.Fprintf(w, "%s  %s\n", v.USCC, v.Name)
	fmt.Fprintf(w, "as of %s under %s (%s)\n\n", registry.FormatOutput(ev.AsOf), ev.RulesVersion, ev.RulesHash)
	fmt.Fprintf(w, "score %.1f  grade %s", ev.Score, ev.Grade)
	if len(ev.Reasons) > 0 {
		fmt.Fprintf(w, "  (reasons: %s; by score alone %s)", strings.Join(ev.Reasons, ", "), ev.ScoreGrade)
	}
	fmt.Fprintln(w)
	c := ev.Components
	tw := tabwriter.NewWriter(w, 4, 0, 2, ' ', 0)
	for _, row := range []struct {
		key   string
		label string
		v     float64
		max   float64
	}{
		{scoring.KeySatisfaction, "satisfaction", c.Satisfaction, rules.Satisfaction.MaxPoints},
		{scoring.KeyComplaints, "complaints", c.Complaints, rules.Complaints.MaxPoints},
		{scoring.KeyQualification, "qualification", c.Qualification, rules.Qualification.LicencePoints + rules.Qualification.InsurancePoints},
		{scoring.KeyRegulatory, "regulatory", c.Regulatory, rules.Regulatory.MaxPoints},
		{scoring.KeyBonus, "bonus", c.Bonus, rules.Bonus.MaxPoints},
	} {
		fmt.Fprintf(tw, "  %s\t%.2f / %g\t%s\n", row.label, row.v, row.max, ev.Sentences[row.key].EN)
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%s\n", ev.Sentences[scoring.SentenceGrade].EN)
	if len(ev.Items) > 0 {
		fmt.Fprintln(w, "\ncomplaints in the window (points d × decay w = contribution):")
		tw = tabwriter.NewWriter(w, 4, 0, 2, ' ', 0)
		for _, it := range ev.Items {
			note := it.Outcome
			switch {
			case it.OpenPastDeadline:
				note = "open past deadline"
			case !it.Closed:
				note = "open"
			}
			if it.Late {
				note += ", late"
			}
			if it.MergedAway {
				note += ", merged (same service order)"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%.2f × %.4f = %.4f\n", it.WorkOrderNo, registry.FormatOutput(it.ReceivedAt)[:10], it.Severity, note, it.Points, it.Weight, it.Contribution)
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "\ncity priors (%d vendors evaluated): decayed mean satisfaction %.3f (rules C = %g); complaint rate %.3f per thousand orders (rules r0 = %g)\n",
		p.Vendors, p.SatisfactionMean, rules.Satisfaction.PriorMean, p.ComplaintRate, rules.Complaints.PriorRate)
}
