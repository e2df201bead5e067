package registry

import (
	"context"
	"database/sql"
)

// dbtx is what the record writers need of a write transaction: a plain
// *sql.Tx, or a stmtTx that parses each statement once.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// stmtTx is a write transaction for loops that run the same few statements
// for many records (ingest batches): each distinct SQL text is prepared once
// and reused. The driver parses every unprepared statement anew, which was
// the largest share of ingest's CPU time. The statements close with the
// transaction.
type stmtTx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt

	// The audit chain's tail as of the last entry this transaction wrote
	// (see DB.audit). Every audit entry of the transaction must go through
	// the stmtTx; one written past it would make the next id collide with
	// the primary key, an error rather than a broken chain.
	auditID   int64
	auditHash string
	auditTail bool
}

func newStmtTx(tx *sql.Tx) *stmtTx { return &stmtTx{tx: tx, stmts: map[string]*sql.Stmt{}} }

func (t *stmtTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	st, err := t.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	t.stmts[query] = st
	return st, nil
}

// ExecContext runs query with the transaction's prepared statement for it.
// Statements run without ctx's cancellation (the driver would start a
// goroutine per statement to watch it); a batch is bounded and short, and
// the transaction commits or rolls back as a whole.
func (t *stmtTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(context.WithoutCancel(ctx), args...)
}

// QueryRowContext runs query with the transaction's prepared statement for
// it (a statement that fails to prepare reports its error through the Row).
func (t *stmtTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return t.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(context.WithoutCancel(ctx), args...)
}
