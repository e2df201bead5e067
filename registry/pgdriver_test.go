package registry

import "testing"

func TestTranslateSQL(t *testing.T) {
	cases := []struct{ in, want string }{
		{`SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = $1 AND c = $2`},
		{`SELECT '?' || "?" FROM t WHERE x = ?`, `SELECT '?' || "?" FROM t WHERE x = $1`},
		{`SELECT 'it''s ?' WHERE a = ? -- what?
		AND b = ? /* and ? */ AND c = ?`, `SELECT 'it''s ?' WHERE a = $1 -- what?
		AND b = $2 /* and ? */ AND c = $3`},
		{`WHERE a IS ? AND b IS NOT ? AND c IS NULL AND this IS ?`,
			`WHERE a IS NOT DISTINCT FROM $1 AND b IS DISTINCT FROM $2 AND c IS NULL AND this IS NOT DISTINCT FROM $3`},
		{`WHERE old.name is not ?`, `WHERE old.name IS DISTINCT FROM $1`},
		{`SELECT group_concat(a || char(31) || b, char(30)), my_char(1), t.char FROM t`,
			`SELECT string_agg(a || chr(31) || b, chr(30)), my_char(1), t.char FROM t`},
		{`WHERE name LIKE ? ESCAPE '\' AND x NOT like ?`, `WHERE name LIKE $1 ESCAPE '\' AND x NOT like $2`},
		{`INSERT INTO t(a) VALUES (?) ON CONFLICT(a) DO UPDATE SET a = excluded.a RETURNING id`,
			`INSERT INTO t(a) VALUES ($1) ON CONFLICT(a) DO UPDATE SET a = excluded.a RETURNING id`},
		{`SELECT 'unterminated ?`, `SELECT 'unterminated ?`},
	}
	for _, c := range cases {
		if got := translateSQL(c.in); got != c.want {
			t.Errorf("translateSQL(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}
