package registry_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"chengxin/i18n"
	"chengxin/registry"
)

// ingActor is the API token actor of these tests.
var ingActor = registry.TokenActor(registry.APIToken{Name: "hotline"})

// rfc formats t0+d as the API wants it.
func ingRFC(d time.Duration) string { return t0.Add(d).Format(time.RFC3339) }

// openComplaint is a valid open complaint against uscc.
func ingOpen(wo, uscc string) registry.ComplaintInput {
	return registry.ComplaintInput{WorkOrderNo: wo, VendorUSCC: uscc, ReceivedAt: ingRFC(-5 * 24 * time.Hour),
		Channel: "phone", Category: "cleaning", Status: "open", DeadlineAt: ingRFC(2 * 24 * time.Hour)}
}

// closedComplaint is openComplaint, closed with an outcome.
func ingClosedIn(wo, uscc string) registry.ComplaintInput {
	c := ingOpen(wo, uscc)
	c.Status, c.Outcome, c.ClosedAt = "closed", "mediated", ingRFC(-2*24*time.Hour)
	return c
}

// ingestVendors registers n vendors numbered from 700.
func ingVendors(t *testing.T, db *registry.DB, n int) []registry.Vendor {
	t.Helper()
	var out []registry.Vendor
	for i := 0; i < n; i++ {
		v, err := db.CreateVendor(context.Background(), cli, vendorIn(usccN(700+i)))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// statuses lists the results' statuses.
func ingStatuses(sum registry.IngestSummary) []string {
	var out []string
	for _, r := range sum.Results {
		out = append(out, r.Status)
	}
	return out
}

func wantIngest(t *testing.T, sum registry.IngestSummary, want ...string) {
	t.Helper()
	if got := ingStatuses(sum); !slices.Equal(got, want) {
		t.Fatalf("statuses %v, want %v (results %+v)", got, want, sum.Results)
	}
	rej := 0
	for i, r := range sum.Results {
		if r.Index != i {
			t.Errorf("results[%d].Index = %d", i, r.Index)
		}
		if r.Status == registry.ResultRejected {
			rej++
		}
	}
	if sum.Rejected != rej || sum.Accepted != len(want)-rej {
		t.Errorf("accepted %d rejected %d, want %d and %d", sum.Accepted, sum.Rejected, len(want)-rej, rej)
	}
}

// takeAll drains the re-evaluation marks.
func ingTakeAll(t *testing.T, db *registry.DB) []int64 {
	t.Helper()
	ids, err := db.TakeMarks(context.Background(), 1000)
	if err != nil {
		t.Fatalf("TakeMarks: %v", err)
	}
	return ids
}

func TestIngestBatchAcrossTransactions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	vs := ingVendors(t, db, 2)
	const n = 1203 // three write transactions of at most 500
	recs := make([]registry.ComplaintInput, n)
	decodeErrs := make([]*registry.DecodeError, n-100) // shorter than recs: the rest have none
	want := make([]string, n)
	for i := range recs {
		recs[i] = ingOpen(fmt.Sprintf("8890-B-%05d", i), vs[i%2].USCC)
		want[i] = registry.ResultCreated
		switch {
		case i%97 == 13:
			recs[i].Channel = "fax"
			want[i] = registry.ResultRejected
		case i%211 == 5:
			decodeErrs[i] = &registry.DecodeError{Key: recs[i].WorkOrderNo, Fields: map[string]i18n.Text{"colour": i18n.T("record.unknown_field")}}
			want[i] = registry.ResultRejected
		}
	}
	sum, err := db.IngestComplaints(ctx, ingActor, recs, decodeErrs)
	if err != nil {
		t.Fatalf("IngestComplaints: %v", err)
	}
	wantIngest(t, sum, want...)
	stored := 0
	for i, r := range sum.Results {
		if r.Key != recs[i].WorkOrderNo {
			t.Fatalf("results[%d].Key = %q, want %q", i, r.Key, recs[i].WorkOrderNo)
		}
		if r.Status == registry.ResultCreated {
			stored++
		}
		if i%211 == 5 && r.Errors["colour"] != "unknown field" {
			t.Errorf("results[%d].Errors = %v, want colour: unknown field", i, r.Errors)
		}
		if i%97 == 13 && !strings.Contains(r.Errors["channel"], "must be one of") {
			t.Errorf("results[%d].Errors = %v, want a channel error", i, r.Errors)
		}
	}
	if stored < 1100 {
		t.Fatalf("only %d stored", stored)
	}
	if got := count(t, db, "complaints"); got != stored {
		t.Errorf("%d complaints stored, want %d", got, stored)
	}
	var audits int
	db.ReadPoolForTest().QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'complaint.create' AND actor = 'token:hotline'`).Scan(&audits)
	if audits != stored {
		t.Errorf("%d complaint.create audit entries, want %d", audits, stored)
	}
	if brk, _, err := db.VerifyAudit(ctx); err != nil || brk != nil {
		t.Errorf("VerifyAudit: %v %v", brk, err)
	}
	if ids := ingTakeAll(t, db); !slices.Equal(ids, []int64{vs[0].ID, vs[1].ID}) {
		t.Errorf("marks %v, want both vendors", ids)
	}

	// The same batch again: nothing changes, nothing is marked.
	sum, err = db.IngestComplaints(ctx, ingActor, recs, decodeErrs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if want[i] == registry.ResultCreated {
			want[i] = registry.ResultUnchanged
		}
	}
	wantIngest(t, sum, want...)
	if ids := ingTakeAll(t, db); len(ids) != 0 {
		t.Errorf("marks %v after an unchanged batch", ids)
	}

	// Updates and creations interleaved in each transaction: every entry
	// links to the one before it (the transaction keeps the chain's tail).
	for i := range recs {
		switch {
		case want[i] != registry.ResultUnchanged:
		case i%3 == 0:
			recs[i].Channel = "wechat"
			want[i] = registry.ResultUpdated
		case i%3 == 1:
			recs[i].WorkOrderNo += "-NEW"
			want[i] = registry.ResultCreated
		}
	}
	sum, err = db.IngestComplaints(ctx, ingActor, recs, decodeErrs)
	if err != nil {
		t.Fatal(err)
	}
	wantIngest(t, sum, want...)
	if brk, n, err := db.VerifyAudit(ctx); err != nil || brk != nil {
		t.Errorf("VerifyAudit after mixed batches (%d entries): %v %v", n, brk, err)
	}
}

func TestIngestSuperseded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	v := ingVendors(t, db, 1)[0]
	a1, a2, a3 := ingOpen("A", v.USCC), ingOpen("A", v.USCC), ingOpen("A", v.USCC)
	a1.Channel, a2.Channel, a3.Channel = "phone", "weibo", "wechat"
	a3.WorkOrderNo = "  A  " // the key is trimmed
	sum, err := db.IngestComplaints(ctx, ingActor, []registry.ComplaintInput{a1, ingOpen("B", v.USCC), a2, a3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantIngest(t, sum, registry.ResultSuperseded, registry.ResultCreated, registry.ResultSuperseded, registry.ResultCreated)
	if sum.Results[3].Key != "A" {
		t.Errorf("key %q, want the trimmed work order number", sum.Results[3].Key)
	}
	var ch string
	db.ReadPoolForTest().QueryRow(`SELECT channel FROM complaints WHERE work_order_no = 'A'`).Scan(&ch)
	if ch != "wechat" {
		t.Errorf("stored channel %q, want wechat (the last wins)", ch)
	}
	if es := auditFor(t, db, "complaint.", "A"); len(es) != 1 {
		t.Errorf("%d audit entries for A, want 1", len(es))
	}

	// A rejected record does not supersede a valid earlier one with its key.
	c1, c2 := ingOpen("C", v.USCC), ingOpen("C", v.USCC)
	c2.Status = "pending"
	sum, err = db.IngestComplaints(ctx, ingActor, []registry.ComplaintInput{c1, c2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantIngest(t, sum, registry.ResultCreated, registry.ResultRejected)

	// Superseded across the transaction size: only the last is written.
	var many []registry.VolumeInput
	for i := 0; i < 700; i++ {
		many = append(many, registry.VolumeInput{VendorUSCC: v.USCC, Month: fmt.Sprintf("%04d-%02d", 1950+i/12, i%12+1), Orders: ptr(int64(i)), Source: "dispatch"})
	}
	many = append(many, registry.VolumeInput{VendorUSCC: strings.ToLower(v.USCC), Month: "1950-01", Orders: ptr(int64(999)), Source: "dispatch"})
	sum, err = db.IngestVolumes(ctx, ingActor, many, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Results[0].Status != registry.ResultSuperseded || sum.Results[700].Status != registry.ResultCreated || sum.Accepted != 701 {
		t.Errorf("first %+v last %+v accepted %d", sum.Results[0], sum.Results[700], sum.Accepted)
	}
	var orders int64
	db.ReadPoolForTest().QueryRow(`SELECT orders FROM volumes WHERE month = '1950-01'`).Scan(&orders)
	if orders != 999 {
		t.Errorf("1950-01 orders %d, want 999", orders)
	}
	if n := count(t, db, "volumes"); n != 700 {
		t.Errorf("%d volumes, want 700", n)
	}
}

func TestIngestLateExcusedSurvivesUpdate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clk := openDB(t)
	v := ingVendors(t, db, 1)[0]
	sum, err := db.IngestComplaints(ctx, ingActor, []registry.ComplaintInput{ingOpen("L-1", v.USCC)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantIngest(t, sum, registry.ResultCreated)
	// A regulator excused the late handling (no API for it yet: plain SQL).
	if _, err := rawDB(t, db.DSN()).Exec(`UPDATE complaints SET late_excused = 1 WHERE work_order_no = 'L-1'`); err != nil {
		t.Fatal(err)
	}
	excused := func() int {
		var x int
		if err := db.ReadPoolForTest().QueryRow(`SELECT late_excused FROM complaints WHERE work_order_no = 'L-1'`).Scan(&x); err != nil {
			t.Fatal(err)
		}
		return x
	}
	clk.Advance(time.Hour)
	sum, err = db.IngestComplaints(ctx, ingActor, []registry.ComplaintInput{ingClosedIn("L-1", v.USCC)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantIngest(t, sum, registry.ResultUpdated)
	if excused() != 1 {
		t.Errorf("late_excused was reset by a hotline update")
	}
	sum, err = db.IngestComplaints(ctx, ingActor, []registry.ComplaintInput{ingClosedIn("L-1", v.USCC)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantIngest(t, sum, registry.ResultUnchanged)
	if excused() != 1 {
		t.Errorf("late_excused was reset")
	}
	es := auditFor(t, db, "complaint.update", "L-1")
	if len(es) != 1 {
		t.Fatalf("%d complaint.update entries, want 1", len(es))
	}
	var detail map[string]any
	json.Unmarshal([]byte(es[0].Detail), &detail)
	before, _ := detail["before"].(map[string]any)
	if before["status"] != "open" || detail["before_updated_at"] != t0.UTC().Format(time.RFC3339) {
		t.Errorf("detail %s, want the open complaint and its update time", es[0].Detail)
	}
}

func TestIngestMoveMarksBothVendors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	vs := ingVendors(t, db, 3)
	a, b := vs[0], vs[1]
	if _, err := db.IngestComplaints(ctx, ingActor, []registry.ComplaintInput{ingOpen("M-1", a.USCC)}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.IngestCallbacks(ctx, ingActor, []registry.CallbackInput{{WorkOrderNo: "CB-1", VendorUSCC: a.USCC, CalledAt: ingRFC(-time.Hour), Result: "satisfied"}}, nil); err != nil {
		t.Fatal(err)
	}
	if ids := ingTakeAll(t, db); !slices.Equal(ids, []int64{a.ID}) {
		t.Fatalf("marks %v, want [%d]", ids, a.ID)
	}
	sum, err := db.IngestComplaints(ctx, ingActor, []registry.ComplaintInput{ingOpen("M-1", b.USCC)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantIngest(t, sum, registry.ResultUpdated)
	if ids := ingTakeAll(t, db); !slices.Equal(ids, []int64{a.ID, b.ID}) {
		t.Errorf("marks after moving a complaint %v, want [%d %d]", ids, a.ID, b.ID)
	}
	var vid int64
	db.ReadPoolForTest().QueryRow(`SELECT vendor_id FROM complaints WHERE work_order_no = 'M-1'`).Scan(&vid)
	if vid != b.ID {
		t.Errorf("complaint belongs to #%d, want #%d", vid, b.ID)
	}
	sum, err = db.IngestCallbacks(ctx, ingActor, []registry.CallbackInput{{WorkOrderNo: "CB-1", VendorUSCC: vs[2].USCC, CalledAt: ingRFC(-time.Hour), Result: "satisfied"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantIngest(t, sum, registry.ResultUpdated)
	if ids := ingTakeAll(t, db); !slices.Equal(ids, []int64{a.ID, vs[2].ID}) {
		t.Errorf("marks after moving a callback %v, want [%d %d]", ids, a.ID, vs[2].ID)
	}
	if es := auditFor(t, db, "callback.update", "CB-1"); len(es) != 1 || !strings.Contains(es[0].Detail, fmt.Sprintf(`"vendor_id":%d`, a.ID)) {
		t.Errorf("callback.update audit %+v, want the previous vendor", es)
	}
}

func TestTakeMarks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clk := openDB(t)
	vs := ingVendors(t, db, 3)
	// Marked in the order 2, 0, 1.
	for i, vi := range []int{2, 0, 1} {
		clk.Advance(time.Minute)
		in := registry.VolumeInput{VendorUSCC: vs[vi].USCC, Month: "2025-01", Orders: ptr(int64(i + 1)), Source: "dispatch"}
		if _, err := db.IngestVolumes(ctx, ingActor, []registry.VolumeInput{in}, nil); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-db.MarkSignal():
	default:
		t.Error("no mark signal after ingests")
	}
	if n, err := db.CountMarks(ctx); err != nil || n != 3 {
		t.Fatalf("CountMarks = %d, %v; want 3", n, err)
	}
	ids, err := db.TakeMarks(ctx, 2)
	if err != nil || !slices.Equal(ids, []int64{vs[2].ID, vs[0].ID}) {
		t.Fatalf("TakeMarks(2) = %v, %v; want the two oldest [%d %d]", ids, err, vs[2].ID, vs[0].ID)
	}
	if n, _ := db.CountMarks(ctx); n != 1 {
		t.Errorf("CountMarks = %d after taking 2 of 3", n)
	}
	// Marking again moves a vendor to the back.
	clk.Advance(time.Minute)
	if _, err := db.IngestVolumes(ctx, ingActor, []registry.VolumeInput{{VendorUSCC: vs[2].USCC, Month: "2025-02", Orders: ptr(int64(4)), Source: "dispatch"}}, nil); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	if _, err := db.IngestVolumes(ctx, ingActor, []registry.VolumeInput{{VendorUSCC: vs[1].USCC, Month: "2025-02", Orders: ptr(int64(4)), Source: "dispatch"}}, nil); err != nil {
		t.Fatal(err)
	}
	if ids := ingTakeAll(t, db); !slices.Equal(ids, []int64{vs[2].ID, vs[1].ID}) {
		t.Errorf("TakeMarks = %v, want [%d %d]", ids, vs[2].ID, vs[1].ID)
	}
	if ids := ingTakeAll(t, db); len(ids) != 0 {
		t.Errorf("TakeMarks on no marks = %v", ids)
	}
	if n, _ := db.CountMarks(ctx); n != 0 {
		t.Errorf("CountMarks = %d, want 0", n)
	}
}

func TestIngestVolumesAndCallbacksUnit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	v := ingVendors(t, db, 1)[0]
	sum, err := db.IngestVolumes(ctx, ingActor, []registry.VolumeInput{
		{VendorUSCC: v.USCC, Month: "2025-03", Orders: ptr(int64(10)), Source: "dispatch"},
		{VendorUSCC: v.USCC, Month: "2025-04", Orders: ptr(int64(10)), Source: "dispatch"},
		{VendorUSCC: v.USCC, Month: "2025-01", Orders: ptr(int64(-5)), Source: "dispatch"},
		{VendorUSCC: v.USCC, Month: "25-01", Orders: ptr(int64(5)), Source: "dispatch"},
		{VendorUSCC: usccN(999), Month: "2025-01", Orders: ptr(int64(5)), Source: "dispatch"},
		{VendorUSCC: v.USCC, Month: "2025-01", Orders: ptr(int64(5))},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantIngest(t, sum, registry.ResultCreated, registry.ResultRejected, registry.ResultRejected, registry.ResultRejected,
		registry.ResultRejected, registry.ResultRejected)
	if sum.Results[0].Key != v.USCC+"/2025-03/dispatch" {
		t.Errorf("key %q", sum.Results[0].Key)
	}
	for i, field := range map[int]string{1: "month", 2: "orders", 3: "month", 4: "vendor_uscc", 5: "source"} {
		if _, ok := sum.Results[i].Errors[field]; !ok {
			t.Errorf("results[%d].Errors = %v, want %s", i, sum.Results[i].Errors, field)
		}
	}
	if got := sum.Results[4].Errors["vendor_uscc"]; got != "unknown vendor" {
		t.Errorf("unknown vendor message %q", got)
	}
	sum, err = db.IngestCallbacks(ctx, ingActor, []registry.CallbackInput{
		{WorkOrderNo: "CB-9", VendorUSCC: v.USCC, CalledAt: ingRFC(-time.Hour), Result: "dissatisfied"},
		{WorkOrderNo: "CB-10", VendorUSCC: v.USCC, CalledAt: "2025-03-14 10:00", Result: "satisfied"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantIngest(t, sum, registry.ResultCreated, registry.ResultRejected)
	if !strings.Contains(sum.Results[1].Errors["called_at"], "RFC 3339") {
		t.Errorf("a local time through the API: %v", sum.Results[1].Errors)
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clk := openDB(t)
	secret, tok, err := db.CreateToken(ctx, cli, "hotline", registry.ScopeIngest)
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	if !strings.HasPrefix(secret, registry.TokenPrefix) || len(secret) < len(registry.TokenPrefix)+20 {
		t.Errorf("secret %q: want the prefix and enough randomness", secret)
	}
	if tok.ID == 0 || tok.Name != "hotline" || tok.Scope != registry.ScopeIngest || tok.CreatedBy != "cli" || tok.LastUsedAt != nil {
		t.Errorf("token %+v", tok)
	}
	secret2, tok2, err := db.CreateToken(ctx, regulator, "dispatch.sys-2", registry.ScopeIngest)
	if err != nil {
		t.Fatal(err)
	}
	if secret2 == secret {
		t.Fatal("two tokens share a secret")
	}

	// Validation.
	_, _, err = db.CreateToken(ctx, cli, "hotline", registry.ScopeIngest)
	wantField(t, err, "name", "exists")
	for _, bad := range []string{"", "has space", "热线", strings.Repeat("a", 65)} {
		_, _, err = db.CreateToken(ctx, cli, bad, registry.ScopeIngest)
		wantField(t, err, "name", "letters")
	}
	_, _, err = db.CreateToken(ctx, cli, "admin-token", "admin")
	wantField(t, err, "scope", "ingest")
	if n := count(t, db, "api_tokens"); n != 2 {
		t.Fatalf("%d tokens, want 2", n)
	}

	// Authentication records the use, at most once a minute.
	got, err := db.AuthenticateToken(ctx, secret)
	if err != nil || got.ID != tok.ID || got.Name != "hotline" || got.Scope != registry.ScopeIngest {
		t.Fatalf("AuthenticateToken = %+v, %v", got, err)
	}
	lastUsed := func(id int64) *time.Time {
		t.Helper()
		toks, err := db.FindTokens(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range toks {
			if x.ID == id {
				return x.LastUsedAt
			}
		}
		t.Fatalf("token #%d not listed", id)
		return nil
	}
	if lu := lastUsed(tok.ID); lu == nil || !lu.Equal(t0) {
		t.Errorf("last_used_at = %v, want %v", lu, t0)
	}
	clk.Advance(30 * time.Second)
	db.AuthenticateToken(ctx, secret)
	if lu := lastUsed(tok.ID); lu == nil || !lu.Equal(t0) {
		t.Errorf("last_used_at = %v, want unchanged %v within a minute", lu, t0)
	}
	clk.Advance(2 * time.Minute)
	db.AuthenticateToken(ctx, secret)
	if lu := lastUsed(tok.ID); lu == nil || !lu.Equal(t0.Add(150*time.Second)) {
		t.Errorf("last_used_at = %v, want %v", lu, t0.Add(150*time.Second))
	}
	if lu := lastUsed(tok2.ID); lu != nil {
		t.Errorf("unused token has last_used_at %v", lu)
	}
	for _, bad := range []string{"", "cx_", secret + "x", strings.TrimPrefix(secret, registry.TokenPrefix), strings.ToUpper(secret)} {
		if _, err := db.AuthenticateToken(ctx, bad); !errors.Is(err, registry.ErrBadToken) {
			t.Errorf("AuthenticateToken(%q) = %v, want ErrBadToken", bad, err)
		}
	}

	// Listed newest first.
	toks, err := db.FindTokens(ctx)
	if err != nil || len(toks) != 2 || toks[0].ID != tok2.ID || toks[1].ID != tok.ID || toks[0].CreatedBy != "user:reg1" {
		t.Fatalf("FindTokens = %+v, %v", toks, err)
	}

	// The secrets are stored nowhere: not in the tokens table, not in the audit log.
	for _, table := range []string{"api_tokens", "audit_log"} {
		for _, s := range []string{secret, secret2} {
			if where := ingScanTable(t, db, table, s); where != "" {
				t.Errorf("%s holds a secret in %s", table, where)
			}
		}
	}

	// Revocation stops the token at once.
	if err := db.RevokeToken(ctx, regulator, tok.ID); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	if _, err := db.AuthenticateToken(ctx, secret); !errors.Is(err, registry.ErrBadToken) {
		t.Errorf("revoked token authenticates: %v", err)
	}
	if _, err := db.AuthenticateToken(ctx, secret2); err != nil {
		t.Errorf("the other token stopped working: %v", err)
	}
	mustNotFound(t, db.RevokeToken(ctx, regulator, tok.ID))
	mustNotFound(t, db.RevokeToken(ctx, regulator, 9999))
	toks, _ = db.FindTokens(ctx)
	if toks[1].RevokedAt == nil || !toks[1].RevokedAt.Equal(clk.Now()) || toks[0].RevokedAt != nil {
		t.Errorf("revoked_at: %v / %v", toks[1].RevokedAt, toks[0].RevokedAt)
	}
	// A revoked token's name stays taken.
	_, _, err = db.CreateToken(ctx, cli, "hotline", registry.ScopeIngest)
	wantField(t, err, "name", "exists")

	if es := auditFor(t, db, "token.", "token:hotline"); len(es) != 2 || es[0].Action != "token.revoke" || es[1].Action != "token.create" || es[0].Actor != "user:reg1" {
		t.Errorf("audit %+v, want token.create then token.revoke", es)
	}
}

// scanTableFor returns "row N column C" when any cell of table contains s.
func ingScanTable(t *testing.T, db *registry.DB, table, s string) string {
	t.Helper()
	rows, err := db.ReadPoolForTest().Query(`SELECT * FROM ` + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for n := 1; rows.Next(); n++ {
		cells := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range cells {
			ptrs[i] = &cells[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, c := range cells {
			if c.Valid && (strings.Contains(c.String, s) || strings.Contains(c.String, strings.TrimPrefix(s, registry.TokenPrefix))) {
				return fmt.Sprintf("row %d column %s", n, cols[i])
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ""
}

func ptr[T any](v T) *T { return &v }

// TestIngestBatchLetsSingleRecordIn: a record posted while a large batch is
// being written is stored before the batch ends, and the batch loses
// nothing (TestIngestYieldsToWaitingWriters checks how early it gets in).
func TestIngestBatchLetsSingleRecordIn(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t)
	vs := ingVendors(t, db, 2)
	const n = 4000
	big := make([]registry.CallbackInput, n)
	for i := range big {
		big[i] = registry.CallbackInput{WorkOrderNo: fmt.Sprintf("BIG-%05d", i), VendorUSCC: vs[i%2].USCC,
			CalledAt: ingRFC(-time.Hour), Result: "satisfied"}
	}
	batchDone := make(chan registry.IngestSummary)
	go func() {
		sum, err := db.IngestCallbacks(ctx, ingActor, big, nil)
		if err != nil {
			t.Error(err)
		}
		batchDone <- sum
	}()
	for count(t, db, "callbacks") == 0 { // the batch is under way
		time.Sleep(time.Millisecond)
	}
	one := registry.CallbackInput{WorkOrderNo: "ONE-1", VendorUSCC: vs[0].USCC, CalledAt: ingRFC(-time.Hour), Result: "dissatisfied"}
	sum, err := db.IngestCallbacks(ctx, ingActor, []registry.CallbackInput{one}, nil)
	if err != nil || sum.Count(registry.ResultCreated) != 1 {
		t.Fatalf("single record: %+v %v", sum, err)
	}
	stored := count(t, db, "callbacks")
	batch := <-batchDone
	if stored >= n {
		t.Errorf("the single record waited for the whole batch (%d callbacks stored when it returned)", stored)
	}
	if batch.Count(registry.ResultCreated) != n || count(t, db, "callbacks") != n+1 {
		t.Errorf("batch created %d, %d callbacks stored", batch.Count(registry.ResultCreated), count(t, db, "callbacks"))
	}
	if brk, _, err := db.VerifyAudit(ctx); err != nil || brk != nil {
		t.Errorf("VerifyAudit: %v %v", brk, err)
	}
}

// Text that is not valid UTF-8 rejects its record, naming the field; it is
// never stored with its bytes replaced, so two work-order numbers that
// differ only in bad bytes cannot collapse into one key.
func TestIngestRejectsInvalidUTF8(t *testing.T) {
	t.Parallel()
	db, _ := openDB(t)
	v := ingVendors(t, db, 1)[0]
	a, b, ok := ingOpen("8890-U-\xff", v.USCC), ingOpen("8890-U-\xfe", v.USCC), ingOpen("8890-U-1", v.USCC)
	summary := ingOpen("8890-U-2", v.USCC)
	summary.Summary = "客户反映\xe4\xb8迟到"
	sum, err := db.IngestComplaints(context.Background(), ingActor, []registry.ComplaintInput{a, b, ok, summary}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantIngest(t, sum, registry.ResultRejected, registry.ResultRejected, registry.ResultCreated, registry.ResultRejected)
	for i, field := range map[int]string{0: "work_order_no", 1: "work_order_no", 3: "summary"} {
		if msg := sum.Results[i].Errors[field]; !strings.Contains(msg, "not valid UTF-8") {
			t.Errorf("results[%d].errors = %v, want %s: not valid UTF-8", i, sum.Results[i].Errors, field)
		}
	}
	if sum.Results[0].Key != "8890-U-\ufffd" || !utf8ValidJSON(t, sum) {
		t.Errorf("results[0].key = %q", sum.Results[0].Key)
	}
	if n := count(t, db, "complaints"); n != 1 {
		t.Errorf("%d complaints stored, want only the valid one", n)
	}
	cbs := []registry.CallbackInput{{WorkOrderNo: "8890-C-1", VendorUSCC: v.USCC, CalledAt: ingRFC(-time.Hour), Result: "satisfied\x80"}}
	sum, err = db.IngestCallbacks(context.Background(), ingActor, cbs, nil)
	if err != nil || sum.Results[0].Errors["result"] == "" {
		t.Errorf("a callback with a bad result: %+v %v", sum, err)
	}
}

// utf8ValidJSON reports whether the summary encodes as valid UTF-8 JSON.
func utf8ValidJSON(t *testing.T, sum registry.IngestSummary) bool {
	t.Helper()
	b, err := json.Marshal(sum)
	return err == nil && utf8.Valid(b)
}
