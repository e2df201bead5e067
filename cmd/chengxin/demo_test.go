package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"chengxin/publicity"
	"chengxin/registry"
)

// demoCity builds a demo city with the clock at now and returns the open
// data file and, per vendor, what the public sees of its grade.
func demoCity(t *testing.T, now time.Time, vendors int, seed uint64) (*registry.DB, []byte, map[string]string) {
	t.Helper()
	ctx := context.Background()
	db := openStore(t, tempDB(t))
	t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return now }
	if _, err := seedDemo(ctx, db, vendors, seed); err != nil {
		t.Fatal(err)
	}
	var csv bytes.Buffer
	if err := publicity.WriteVendorsCSV(ctx, db, &csv, db.Now(), nil); err != nil {
		t.Fatal(err)
	}
	grades := map[string]string{}
	for page := 1; ; page++ {
		vs, _, err := db.FindVendors(ctx, registry.VendorFilter{Page: page, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) == 0 {
			break
		}
		for _, v := range vs {
			p, err := db.FindPublished(ctx, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			s := fmt.Sprintf("%s %.1f %s", p.Grade, p.Score, registry.FormatOutput(p.PublishedAt))
			if p.Pending != nil {
				s += fmt.Sprintf(" pending %s after %s objected %v", p.Pending.Grade, registry.FormatOutput(p.Pending.PublicAfter), p.Pending.ObjectedAt != nil)
			}
			if p.Override != nil {
				s += " override " + p.Override.Grade
			}
			grades[v.USCC] = s
		}
	}
	return db, csv.Bytes(), grades
}

// TestDemoReproducible: two demo builds with one seed on one day, at
// different hours, publish byte-identical open data and the same grade,
// pending downgrade and override for every vendor.
func TestDemoReproducible(t *testing.T) {
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, registry.Shanghai)
	_, csvA, gradesA := demoCity(t, day.Add(9*time.Hour+13*time.Minute+7*time.Second+123456789), 240, 5)
	_, csvB, gradesB := demoCity(t, day.Add(17*time.Hour+48*time.Minute+59*time.Second), 240, 5)
	if !bytes.Equal(csvA, csvB) {
		a, b := strings.Split(string(csvA), "\n"), strings.Split(string(csvB), "\n")
		n := 0
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				if n++; n <= 5 {
					t.Errorf("open data differs:\n%s\n%s", a[i], b[i])
				}
			}
		}
		t.Fatalf("open data differs on %d of %d lines (%d and %d bytes)", n, len(a), len(csvA), len(csvB))
	}
	if len(gradesA) != 240 || len(gradesB) != 240 {
		t.Fatalf("%d and %d vendors", len(gradesA), len(gradesB))
	}
	differ := 0
	for code, g := range gradesA {
		if gradesB[code] != g {
			if differ++; differ <= 5 {
				t.Errorf("%s: %q, then %q", code, g, gradesB[code])
			}
		}
	}
	if differ > 0 {
		t.Fatalf("%d of %d vendors have another public grade in the second build", differ, len(gradesA))
	}
	// A different seed is a different city.
	_, csvC, _ := demoCity(t, day.Add(10*time.Hour), 240, 6)
	if bytes.Equal(csvA, csvC) {
		t.Error("seeds 5 and 6 gave the same open data")
	}
}

// TestDemoShowsEverything: the demo has what every public and console page
// needs, whether its day falls inside the last run's objection period or
// after it: sanctions of every kind with a blacklisted vendor on the black
// list, approved public replies, open review cases of each kind, pending
// downgrades, an override, and the demo vendor account on a vendor that
// has a pending downgrade and an open objection.
func TestDemoShowsEverything(t *testing.T) {
	for _, now := range []time.Time{
		time.Date(2026, 11, 4, 15, 0, 0, 0, registry.Shanghai),  // inside the objection period of the 1 November run
		time.Date(2026, 11, 27, 11, 0, 0, 0, registry.Shanghai), // after it
		time.Date(2026, 12, 1, 0, 30, 0, 0, registry.Shanghai),  // before the day's scheduled run
	} {
		t.Run(now.Format("2006-01-02T15:04"), func(t *testing.T) {
			ctx := context.Background()
			db, _, grades := demoCity(t, now, 120, 1)
			kinds := map[string]bool{}
			for _, v := range grades {
				if strings.Contains(v, " pending ") {
					kinds["pending"] = true
				}
				if strings.Contains(v, " override ") {
					kinds["override"] = true
				}
			}
			replies := 0
			for page := 1; ; page++ {
				vs, _, err := db.FindVendors(ctx, registry.VendorFilter{Page: page, PerPage: 100})
				if err != nil {
					t.Fatal(err)
				}
				if len(vs) == 0 {
					break
				}
				for _, v := range vs {
					ss, err := db.SanctionsOfVendor(ctx, v.ID)
					if err != nil {
						t.Fatal(err)
					}
					for _, s := range ss {
						kinds["sanction."+s.Kind] = true
					}
					if p, _ := db.FindPublished(ctx, v.ID); p.Reply != "" {
						replies++
					}
				}
			}
			if replies < 2 {
				t.Errorf("%d approved public replies, want 2", replies)
			}
			black, err := publicity.BlackList(ctx, db, db.Now())
			if err != nil || len(black) != 1 {
				t.Errorf("black list: %d entries, %v", len(black), err)
			}
			cases, err := db.FindCases(ctx, registry.CaseFilter{Status: "open"})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cases {
				kinds["case."+c.Kind] = true
			}
			for _, k := range []string{"pending", "override", "sanction.warning", "sanction.fine", "sanction.serious_penalty",
				"sanction.commendation", "sanction.blacklist", "case.grade_objection", "case.complaint_objection", "case.reply", "case.repair"} {
				if !kinds[k] {
					t.Errorf("the demo has no %s", k)
				}
			}
			if got := grades[demoLoginUSCC(t, db)]; !strings.Contains(got, "pending") || !strings.Contains(got, "objected true") {
				t.Errorf("the demo vendor's grade is %q, want a pending downgrade it objected to", got)
			}
			if n, err := db.CountMarks(ctx); err != nil || n != 0 {
				t.Errorf("%d vendors left for the evaluator (%v)", n, err)
			}
		})
	}
}

func demoLoginUSCC(t *testing.T, db *registry.DB) string {
	t.Helper()
	users, err := db.FindUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Username == "vendor" {
			return u.VendorUSCC
		}
	}
	t.Fatal("no demo vendor account")
	return ""
}

// TestDemoRemovesItsTemporaryDirectory: a demo without -db keeps its
// database in a new temporary directory that is gone when it ends.
func TestDemoRemovesItsTemporaryDirectory(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "-addr", "127.0.0.1:0", "-vendors", "20"}, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(errOut.String(), "serving") {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("demo did not start: %s", errOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "chengxin-demo-") {
		t.Fatalf("while serving, %s holds %v", tmp, entries)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("after the demo ended, %s still holds %v", tmp, entries)
	}
}
