package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"chengxin/i18n"
)

// Organisation kinds.
var OrgKinds = []string{"association", "chamber", "community", "intermediary"}

// Org is a community organisation vendors belong to.
type Org struct {
	ID            int64
	USCC          string
	USCCConfirmed bool
	Name          string
	Kind          string
	District      string
	ContactPhone  string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Members       int // active members (filled by FindOrgs)
}

// OrgInput is an organisation as typed into a form or CSV row.
type OrgInput struct {
	USCC         string `json:"uscc"`
	Name         string `json:"name" validate:"required,max=200,printable"`
	Kind         string `json:"kind" validate:"required,oneof=association chamber community intermediary"`
	District     string `json:"district" validate:"required,district"`
	ContactPhone string `json:"contact_phone" validate:"max=32,phone"`
	ConfirmUSCC  bool   `json:"-"`
}

func (db *DB) validateOrg(in OrgInput, actor Actor, knownConfirmed bool) (OrgInput, bool, error) {
	var verr ValidationError
	code, confirmed := checkVendorUSCC(in.USCC, in.ConfirmUSCC, knownConfirmed, actor, &verr)
	in.USCC, in.Name, in.Kind = code, cleanText(in.Name), strings.TrimSpace(in.Kind)
	in.District, in.ContactPhone = strings.TrimSpace(in.District), strings.TrimSpace(in.ContactPhone)
	checkStruct(in, &verr)
	return in, confirmed, verr.Err()
}

const orgColumns = `id, uscc, uscc_confirmed, name, kind, district, contact_phone, created_at, updated_at`

func scanOrg(r rowScanner) (Org, error) {
	var o Org
	var created, updated string
	err := r.Scan(&o.ID, &o.USCC, &o.USCCConfirmed, &o.Name, &o.Kind, &o.District, &o.ContactPhone, &created, &updated)
	o.CreatedAt, o.UpdatedAt = parseStored(created), parseStored(updated)
	return o, err
}

// CreateOrg registers an organisation; a code already registered is a validation error.
func (db *DB) CreateOrg(ctx context.Context, actor Actor, in OrgInput) (Org, error) {
	var o Org
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		_, o, err = db.saveOrg(ctx, tx, actor, in, createOnly)
		return err
	})
	return o, err
}

func (db *DB) saveOrg(ctx context.Context, tx *sql.Tx, actor Actor, in OrgInput, mode saveMode) (string, Org, error) {
	old, err := scanOrg(tx.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM orgs WHERE uscc = ?`, NormalizeUSCC(in.USCC)))
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", old, fmt.Errorf("registry: org %s: %w", in.USCC, err)
	}
	in, confirmed, err := db.validateOrg(in, actor, exists && old.USCCConfirmed)
	if err != nil {
		return ResultRejected, Org{}, err
	}
	now := db.now()
	if !exists {
		if mode == updateOnly {
			return ResultRejected, old, fmt.Errorf("registry: org %s: %w", in.USCC, ErrNotFound)
		}
		o := Org{USCC: in.USCC, USCCConfirmed: confirmed, Name: in.Name, Kind: in.Kind, District: in.District,
			ContactPhone: in.ContactPhone, CreatedAt: now, UpdatedAt: now}
		err := tx.QueryRowContext(ctx, `INSERT INTO orgs(uscc, uscc_confirmed, name, kind, district, contact_phone, created_at, updated_at)
			VALUES (?,?,?,?,?,?,?,?) RETURNING id`, o.USCC, o.USCCConfirmed, o.Name, o.Kind, o.District, o.ContactPhone, formatTime(now), formatTime(now)).Scan(&o.ID)
		if err != nil {
			return "", o, fmt.Errorf("registry: insert org %s: %w", o.USCC, err)
		}
		if confirmed {
			if err := db.audit(ctx, tx, actor.String(), "uscc.confirm", o.USCC, nil); err != nil {
				return "", o, err
			}
		}
		return ResultCreated, o, db.audit(ctx, tx, actor.String(), "org.create", o.USCC, map[string]any{
			"name": o.Name, "kind": o.Kind, "district": o.District, "contact_phone": o.ContactPhone})
	}
	if mode == createOnly {
		return ResultRejected, old, &ValidationError{Fields: map[string]i18n.Text{"uscc": i18n.T("org.duplicate", old.Name)}}
	}
	changes := map[string][2]string{}
	for _, c := range [][3]string{{"name", old.Name, in.Name}, {"kind", old.Kind, in.Kind}, {"district", old.District, in.District}, {"contact_phone", old.ContactPhone, in.ContactPhone}} {
		if c[1] != c[2] {
			changes[c[0]] = [2]string{c[1], c[2]}
		}
	}
	if len(changes) == 0 {
		return ResultUnchanged, old, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE orgs SET name=?, kind=?, district=?, contact_phone=?, updated_at=? WHERE id=?`,
		in.Name, in.Kind, in.District, in.ContactPhone, formatTime(now), old.ID)
	if err != nil {
		return "", old, fmt.Errorf("registry: update org %s: %w", in.USCC, err)
	}
	o := old
	o.Name, o.Kind, o.District, o.ContactPhone, o.UpdatedAt = in.Name, in.Kind, in.District, in.ContactPhone, now
	return ResultUpdated, o, db.audit(ctx, tx, actor.String(), "org.update", o.USCC, changes)
}

// FindOrgByUSCC returns the organisation or ErrNotFound.
func (db *DB) FindOrgByUSCC(ctx context.Context, uscc string) (Org, error) {
	uscc = NormalizeUSCC(uscc)
	o, err := scanOrg(db.read.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM orgs WHERE uscc = ?`, uscc))
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("registry: org %s: %w", uscc, ErrNotFound)
	}
	return o, err
}

// FindOrgByID returns the organisation or ErrNotFound.
func (db *DB) FindOrgByID(ctx context.Context, id int64) (Org, error) {
	o, err := scanOrg(db.read.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM orgs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("registry: org #%d: %w", id, ErrNotFound)
	}
	return o, err
}

// FindOrgs lists organisations by name with their active member counts; q
// matches a name substring or a USCC prefix.
func (db *DB) FindOrgs(ctx context.Context, q string) ([]Org, error) {
	where, args := "1=1", []any{}
	if q = strings.TrimSpace(q); q != "" {
		like := db.likeFoldingASCII()
		where = `(o.name ` + like + ` ? ESCAPE '\' OR o.uscc ` + like + ` ? ESCAPE '\')`
		args = append(args, "%"+escapeLike(q)+"%", escapeLike(NormalizeUSCC(q))+"%")
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+prefixed("o.", orgColumns)+`,
		(SELECT count(*) FROM memberships m WHERE m.org_id = o.id AND m.status = 'active')
		FROM orgs o WHERE `+where+` ORDER BY o.name, o.uscc LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("registry: find orgs: %w", err)
	}
	defer rows.Close()
	var out []Org
	for rows.Next() {
		var o Org
		var created, updated string
		if err := rows.Scan(&o.ID, &o.USCC, &o.USCCConfirmed, &o.Name, &o.Kind, &o.District, &o.ContactPhone, &created, &updated, &o.Members); err != nil {
			return nil, err
		}
		o.CreatedAt, o.UpdatedAt = parseStored(created), parseStored(updated)
		out = append(out, o)
	}
	return out, rows.Err()
}
