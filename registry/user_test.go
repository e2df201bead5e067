package registry_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"chengxin/registry"
)

const goodPassword = "correct horse battery"

func TestCreateUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	org, err := db.CreateOrg(ctx, cli, orgIn(orgUSCC(21)))
	if err != nil {
		t.Fatal(err)
	}
	vendor, err := db.CreateVendor(ctx, cli, vendorIn(usccN(301)))
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.CreateUser(ctx, cli, registry.UserInput{Username: "Alice", Password: goodPassword, Role: registry.RoleRegulator})
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Role != registry.RoleRegulator || u.OrgID != 0 || !u.CreatedAt.Equal(t0) {
		t.Errorf("created %+v", u)
	}
	if es := auditFor(t, db, "user.create", "user:Alice"); len(es) != 1 || es[0].Actor != "cli" || strings.Contains(es[0].Detail, goodPassword) {
		t.Errorf("user.create entries %+v", es)
	}

	tests := []struct {
		name          string
		in            registry.UserInput
		field, substr string // empty field: accepted
		org, vendor   int64
	}{
		{"association", registry.UserInput{Username: "assoc.one", Password: goodPassword, Role: registry.RoleAssociation, OrgUSCC: strings.ToLower(org.USCC)}, "", "", org.ID, 0},
		{"vendor", registry.UserInput{Username: "vendor_1", Password: goodPassword, Role: registry.RoleVendor, OrgUSCC: vendor.USCC}, "", "", 0, vendor.ID},
		{"password 10 bytes", registry.UserInput{Username: "ten", Password: "0123456789", Role: registry.RoleRegulator}, "", "", 0, 0},
		{"password 72 bytes", registry.UserInput{Username: "seventytwo", Password: strings.Repeat("p", 72), Role: registry.RoleRegulator}, "", "", 0, 0},
		{"password 9 bytes", registry.UserInput{Username: "nine", Password: "012345678", Role: registry.RoleRegulator}, "password", "at least 10", 0, 0},
		{"password 73 bytes", registry.UserInput{Username: "long", Password: strings.Repeat("p", 73), Role: registry.RoleRegulator}, "password", "at most 72 bytes", 0, 0},
		{"password 25 Chinese characters (75 bytes)", registry.UserInput{Username: "hanzi", Password: strings.Repeat("密", 25), Role: registry.RoleRegulator}, "password", "at most 72 bytes", 0, 0},
		{"username too short", registry.UserInput{Username: "ab", Password: goodPassword, Role: registry.RoleRegulator}, "username", "3–64", 0, 0},
		{"username too long", registry.UserInput{Username: strings.Repeat("a", 65), Password: goodPassword, Role: registry.RoleRegulator}, "username", "3–64", 0, 0},
		{"username leading dot", registry.UserInput{Username: ".alice", Password: goodPassword, Role: registry.RoleRegulator}, "username", "starting with a letter", 0, 0},
		{"username space", registry.UserInput{Username: "al ice", Password: goodPassword, Role: registry.RoleRegulator}, "username", "3–64", 0, 0},
		{"username Chinese", registry.UserInput{Username: "张三丰", Password: goodPassword, Role: registry.RoleRegulator}, "username", "3–64", 0, 0},
		{"duplicate", registry.UserInput{Username: "Alice", Password: goodPassword, Role: registry.RoleRegulator}, "username", "taken", 0, 0},
		{"duplicate other case", registry.UserInput{Username: "aLICE", Password: goodPassword, Role: registry.RoleRegulator}, "username", "taken", 0, 0},
		{"association without org", registry.UserInput{Username: "assoc2", Password: goodPassword, Role: registry.RoleAssociation}, "org", "no organisation", 0, 0},
		{"association unknown org", registry.UserInput{Username: "assoc3", Password: goodPassword, Role: registry.RoleAssociation, OrgUSCC: orgUSCC(22)}, "org", "no organisation", 0, 0},
		{"association naming a vendor", registry.UserInput{Username: "assoc4", Password: goodPassword, Role: registry.RoleAssociation, OrgUSCC: vendor.USCC}, "org", "no organisation", 0, 0},
		{"vendor unknown", registry.UserInput{Username: "vendor2", Password: goodPassword, Role: registry.RoleVendor, OrgUSCC: usccN(302)}, "org", "no vendor", 0, 0},
		{"bad role", registry.UserInput{Username: "root", Password: goodPassword, Role: "admin"}, "role", "regulator, association, vendor", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := count(t, db, "users")
			u, err := db.CreateUser(ctx, cli, tt.in)
			if tt.field != "" {
				wantField(t, err, tt.field, tt.substr)
				if n := count(t, db, "users"); n != before {
					t.Errorf("a user was stored")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.OrgID != tt.org || u.VendorID != tt.vendor {
				t.Errorf("user %+v, want org %d vendor %d", u, tt.org, tt.vendor)
			}
			au, err := db.Authenticate(ctx, tt.in.Username, tt.in.Password)
			if err != nil || au.ID != u.ID || au.Role != tt.in.Role || au.OrgID != tt.org || au.VendorID != tt.vendor {
				t.Errorf("Authenticate = %+v, %v", au, err)
			}
		})
	}
	users, err := db.FindUsers(ctx)
	if err != nil || len(users) != 5 {
		t.Fatalf("FindUsers = %d users, %v", len(users), err)
	}
	for _, u := range users {
		if u.Username == "assoc.one" && (u.OrgUSCC != org.USCC || u.OrgName != org.Name) {
			t.Errorf("association listing %+v", u)
		}
		if u.Username == "vendor_1" && (u.VendorUSCC != vendor.USCC || u.VendorName != vendor.Name) {
			t.Errorf("vendor listing %+v", u)
		}
	}
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	u, err := db.CreateUser(ctx, cli, registry.UserInput{Username: "reg.one", Password: goodPassword, Role: registry.RoleRegulator})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, user, pw string
		ok             bool
	}{
		{"right", "reg.one", goodPassword, true},
		{"username case-insensitive", "REG.ONE", goodPassword, true},
		{"wrong password", "reg.one", goodPassword + "!", false},
		{"password case matters", "reg.one", strings.ToUpper(goodPassword), false},
		{"empty password", "reg.one", "", false},
		{"unknown user", "nobody", goodPassword, false},
		{"overlong password sharing the first 72 bytes", "reg.one", goodPassword + strings.Repeat("x", 80), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Authenticate(ctx, tt.user, tt.pw)
			if tt.ok {
				if err != nil || got.ID != u.ID || got.Username != "reg.one" {
					t.Errorf("Authenticate = %+v, %v", got, err)
				}
				return
			}
			if !errors.Is(err, registry.ErrBadCredentials) || got.ID != 0 {
				t.Errorf("Authenticate = %+v, %v; want ErrBadCredentials", got, err)
			}
		})
	}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clk := openDB(t)
	u, err := db.CreateUser(ctx, cli, registry.UserInput{Username: "reg.one", Password: goodPassword, Role: registry.RoleRegulator})
	if err != nil {
		t.Fatal(err)
	}
	tok, s, err := db.CreateSession(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if tok == "" || s.CSRFToken == "" || s.CSRFToken == tok || !s.ExpiresAt.Equal(t0.Add(registry.SessionTTL)) {
		t.Fatalf("CreateSession = %q, %+v", tok, s)
	}
	var stored int
	if err := db.ReadPoolForTest().QueryRow(`SELECT count(*) FROM sessions WHERE token_hash = ?`, tok).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("the raw token is stored (%d, %v)", stored, err)
	}
	got, err := db.FindSession(ctx, tok)
	if err != nil || got.User.ID != u.ID || got.User.Role != registry.RoleRegulator || got.CSRFToken != s.CSRFToken {
		t.Fatalf("FindSession = %+v, %v", got, err)
	}
	if _, err := db.FindSession(ctx, tok[:len(tok)-1]); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("FindSession(wrong token): %v", err)
	}
	if len(auditFor(t, db, "session.login", "user:reg.one")) != 1 {
		t.Error("no session.login entry")
	}

	// A second session, then logout of the first.
	tok2, _, err := db.CreateSession(ctx, u)
	if err != nil || tok2 == tok {
		t.Fatalf("second session %q, %v", tok2, err)
	}
	if err := db.DeleteSession(ctx, tok, u); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FindSession(ctx, tok); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("FindSession after logout: %v", err)
	}
	if _, err := db.FindSession(ctx, tok2); err != nil {
		t.Errorf("the other session ended too: %v", err)
	}
	if len(auditFor(t, db, "session.logout", "user:reg.one")) != 1 {
		t.Error("no session.logout entry")
	}

	// Expiry.
	clk.Advance(registry.SessionTTL - time.Second)
	if _, err := db.FindSession(ctx, tok2); err != nil {
		t.Errorf("session expired early: %v", err)
	}
	clk.Advance(time.Second)
	if _, err := db.FindSession(ctx, tok2); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("expired session: %v", err)
	}
	// A new login purges expired sessions.
	clk.Advance(time.Second)
	if _, _, err := db.CreateSession(ctx, u); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "sessions"); n != 1 {
		t.Errorf("%d sessions stored, want 1", n)
	}
}
