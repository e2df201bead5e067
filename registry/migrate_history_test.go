package registry_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chengxin/migrations"
	"chengxin/registry"
)

// A database published under the earlier schema (0001–0008) keeps its
// public record when 0009 adds the publication history: every run's
// publication or confirmation, a pending downgrade published outside a run
// and an override become history entries; the published grade points at
// its latest entry, with the date of the latest confirmation, when the
// grade was first published and its grade note.
func TestMigrationBuildsPublicationHistory(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "legacy.db")
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(ON)")
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(q, args...); err != nil {
			t.Fatalf("%.80s: %v", q, err)
		}
	}
	exec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`)
	entries, _ := migrations.FS.ReadDir(".")
	for _, e := range entries {
		if e.Name() >= "0009" {
			break
		}
		body, _ := migrations.FS.ReadFile(e.Name())
		exec(string(body))
		exec(`INSERT INTO schema_migrations(name, applied_at) VALUES (?, '2025-01-01T00:00:00Z')`, e.Name())
	}
	at := func(s string) string { return s + "T00:00:00Z" }
	for i := 1; i <= 4; i++ {
		exec(`INSERT INTO vendors(id, uscc, name, legal_rep, phone, address, registered_at, created_at, updated_at)
			VALUES (?, ?, '旧库商户', '张', '022', '天津', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')`, i, usccN(900+i))
	}
	exec(`INSERT INTO publication_runs(id, period, as_of, status, started_at, finished_at, actor, rules_version, vendors) VALUES
		(1, '2025-01', ?, 'done', ?, ?, 'cli', 'HSCS-1.0', 4), (2, '2025-02', ?, 'done', ?, ?, 'cli', 'HSCS-1.0', 4)`,
		at("2025-01-01"), at("2025-01-01"), at("2025-01-01"), at("2025-02-01"), at("2025-02-01"), at("2025-02-01"))
	// Vendor 1: B twice, held below A by the A requirements.
	exec(`INSERT INTO evaluations(vendor_id, as_of, rules_version, rules_hash, score, grade, body, created_at)
		VALUES (1, ?, 'HSCS-1.0', 'h', 93, 'B', '{"reasons":["a_requirements"]}', ?)`, at("2024-12-31"), at("2024-12-31"))
	exec(`INSERT INTO publications VALUES (1, 1, 'B', 93.0, 'B', 'first'), (2, 1, 'B', 93.5, 'B', 'unchanged')`)
	exec(`INSERT INTO published_grades VALUES (1, 'B', 93.0, ?, 1, 'HSCS-1.0')`, at("2025-01-01"))
	// Vendor 2: A, then a downgrade to C published by the scheduler.
	exec(`INSERT INTO publications VALUES (1, 2, 'A', 95.0, 'A', 'first'), (2, 2, 'C', 70.0, 'A', 'downgrade_pending')`)
	exec(`INSERT INTO published_grades VALUES (2, 'C', 70.0, ?, 2, 'HSCS-1.0')`, at("2025-02-15"))
	// Vendor 3: B, then an upgrade held.
	exec(`INSERT INTO publications VALUES (1, 3, 'B', 80.0, 'B', 'first'), (2, 3, 'A', 93.0, 'B', 'upgrade_held')`)
	exec(`INSERT INTO published_grades VALUES (3, 'B', 80.0, ?, 1, 'HSCS-1.0')`, at("2025-01-01"))
	// Vendor 4: an override and no publication.
	exec(`INSERT INTO grade_overrides VALUES (4, 'C', '调查期间', ?, 'user:reg', ?)`, at("2025-06-01"), at("2025-01-10"))
	raw.Close()

	db, err := registry.Open(ctx, path)
	if err != nil {
		t.Fatalf("migrating: %v", err)
	}
	defer db.Close()
	db.Now = func() time.Time { return time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC) }
	history := func(id int64) string {
		h, err := db.PublicationHistory(ctx, id, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range h {
			out = append(out, e.At.Format("01-02")+" "+e.Grade+" "+e.Cause+" "+e.Note)
		}
		return strings.Join(out, " | ")
	}
	for id, want := range map[int64]string{
		1: "02-01 B run a_requirements | 01-01 B run a_requirements",
		2: "02-15 C matured  | 01-01 A run ",
		3: "02-01 B run held | 01-01 B run ",
		4: "01-10 C override override",
	} {
		if got := history(id); got != want {
			t.Errorf("vendor %d history %q, want %q", id, got, want)
		}
	}
	facts, err := db.GradeFactsOf(ctx, []int64{1, 2, 3, 4}, db.Now())
	if err != nil {
		t.Fatal(err)
	}
	day := func(p *registry.PublishedFacts) string {
		return p.Grade + " " + p.At.Format("01-02") + " since " + p.Since.Format("01-02") + " " + p.Note
	}
	for id, want := range map[int64]string{1: "B 02-01 since 01-01 a_requirements", 2: "C 02-15 since 02-15 ", 3: "B 02-01 since 01-01 held"} {
		if p := facts[id].Published; p == nil || day(p) != want {
			t.Errorf("vendor %d published %+v, want %s", id, p, want)
		}
	}
	if p := facts[1].Published; p.Score != 93.5 {
		t.Errorf("vendor 1 published score %v, want the latest confirmation's 93.5", p.Score)
	}
	if facts[4].Published != nil || facts[4].Override == nil {
		t.Errorf("vendor 4: %+v", facts[4])
	}
}
