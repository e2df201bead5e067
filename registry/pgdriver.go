package registry

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/stdlib"
)

// The PostgreSQL engine runs the same hand-written SQL as SQLite. The few
// spellings where the two dialects differ are translated here, in one place,
// when a statement reaches the driver (and cached per statement text):
//
//   - placeholders: `?` → `$1`, `$2`, …;
//   - null-safe comparison with a parameter: `x IS ?` → `x IS NOT DISTINCT
//     FROM $n` and `x IS NOT ?` → `x IS DISTINCT FROM $n`;
//   - `group_concat(x, sep)` → `string_agg(x, sep)` and `char(n)` → `chr(n)`.
//
// Everything else (upserts with ON CONFLICT, RETURNING, CTEs, partial
// indexes) is written in the SQL both engines share. Differences that are not
// spellings (search, locks, backup, month arithmetic) live in engine.go.
const pgDriverName = "chengxin-pgx"

func init() {
	sql.Register(pgDriverName, pgDriver{base: stdlib.GetDefaultDriver()})
}

type pgDriver struct{ base driver.Driver }

func (d pgDriver) Open(name string) (driver.Conn, error) {
	c, err := d.base.Open(name)
	if err != nil {
		return nil, err
	}
	return &pgConn{base: c.(*stdlib.Conn)}, nil
}

// pgConn forwards to pgx's database/sql connection with translated SQL.
type pgConn struct{ base *stdlib.Conn }

var (
	_ driver.ConnPrepareContext = (*pgConn)(nil)
	_ driver.ConnBeginTx        = (*pgConn)(nil)
	_ driver.ExecerContext      = (*pgConn)(nil)
	_ driver.QueryerContext     = (*pgConn)(nil)
	_ driver.Pinger             = (*pgConn)(nil)
	_ driver.SessionResetter    = (*pgConn)(nil)
	_ driver.Validator          = (*pgConn)(nil)
	_ driver.NamedValueChecker  = (*pgConn)(nil)
)

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.base.Prepare(translatePostgres(query))
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.base.PrepareContext(ctx, translatePostgres(query))
}

func (c *pgConn) Close() error { return c.base.Close() }

func (c *pgConn) Begin() (driver.Tx, error) { return c.base.Begin() }

func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.base.BeginTx(ctx, opts)
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.base.ExecContext(ctx, translatePostgres(query), args)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.base.QueryContext(ctx, translatePostgres(query), args)
}

func (c *pgConn) Ping(ctx context.Context) error { return c.base.Ping(ctx) }

func (c *pgConn) ResetSession(ctx context.Context) error { return c.base.ResetSession(ctx) }

func (c *pgConn) IsValid() bool { return !c.base.Conn().IsClosed() }

// CheckNamedValue stores Go booleans as 0/1, as SQLite does: flags are
// integer columns on both engines. A string argument that is not text
// (IsText) fails with ErrNotText before it reaches the server, whose own
// error would be an internal one.
func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		if b {
			nv.Value = int64(1)
		} else {
			nv.Value = int64(0)
		}
		return nil
	}
	if s, ok := nv.Value.(string); ok && !IsText(s) {
		return ErrNotText
	}
	return c.base.CheckNamedValue(nv)
}

// translated caches translatePostgres per statement text: the set of
// statements is fixed by the code, so the cache stays small.
var translated sync.Map

// translatePostgres rewrites one statement from the shared dialect into
// PostgreSQL's (see the list above). Quoted strings, quoted identifiers and
// comments are copied unchanged.
func translatePostgres(q string) string {
	if v, ok := translated.Load(q); ok {
		return v.(string)
	}
	out := translateSQL(q)
	translated.Store(q, out)
	return out
}

func translateSQL(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c { // doubled quote inside
						j += 2
						continue
					}
					break
				}
				j++
			}
			if j < len(q) {
				j++
			}
			b.WriteString(q[i:j])
			i = j
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			j := strings.Index(q[i+2:], "*/")
			end := len(q)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(q[i:end])
			i = end
		case c == '?':
			n++
			rewriteNullSafe(&b)
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			i++
		case isWordByte(c):
			j := i
			for j < len(q) && isWordByte(q[j]) {
				j++
			}
			word := q[i:j]
			if i > 0 && (isWordByte(q[i-1]) || q[i-1] == '.' || q[i-1] == '$') {
				b.WriteString(word) // part of a qualified name or a number
				i = j
				continue
			}
			next := j
			for next < len(q) && q[next] == ' ' {
				next++
			}
			call := next < len(q) && q[next] == '('
			switch {
			case call && strings.EqualFold(word, "group_concat"):
				b.WriteString("string_agg")
			case call && strings.EqualFold(word, "char"):
				b.WriteString("chr")
			default:
				b.WriteString(word)
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// rewriteNullSafe turns a trailing `IS` or `IS NOT` (before a parameter)
// into PostgreSQL's null-safe comparison, which accepts any expression.
func rewriteNullSafe(b *strings.Builder) {
	s := b.String()
	t := strings.TrimRight(s, " \t\r\n")
	up := strings.ToUpper(t)
	var repl string
	var cut int
	switch {
	case hasWordSuffix(up, "IS NOT"):
		cut, repl = len("IS NOT"), "IS DISTINCT FROM "
	case hasWordSuffix(up, "IS"):
		cut, repl = len("IS"), "IS NOT DISTINCT FROM "
	default:
		return
	}
	b.Reset()
	b.WriteString(t[:len(t)-cut])
	b.WriteString(repl)
}

// hasWordSuffix reports whether s ends with the words w, preceded by a
// non-word byte (or nothing).
func hasWordSuffix(s, w string) bool {
	if !strings.HasSuffix(s, w) {
		return false
	}
	k := len(s) - len(w)
	if k > 0 && isWordByte(s[k-1]) {
		return false
	}
	// "IS NOT" written with more than one space is rare; the code writes one.
	return true
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
