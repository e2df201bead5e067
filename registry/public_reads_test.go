package registry_test

import (
	"context"
	"testing"
)

// A read with a subquery in FROM (PostgreSQL before 16 wants it named):
// the built-in rules' "in force since".
func TestRulesInForce(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t)
	a, err := db.RulesInForce(ctx)
	if err != nil || !a.Builtin || a.Since.IsZero() {
		t.Fatalf("RulesInForce = %+v, %v; want the built-in rules since the first migration", a, err)
	}
}
