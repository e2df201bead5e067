package registry

import (
	"errors"
	"sort"
	"strings"

	"chengxin/i18n"
)

// Sentinel errors; wrap them with context, match with errors.Is.
var (
	ErrNotFound  = errors.New("registry: not found")
	ErrForbidden = errors.New("registry: not allowed")
	ErrConflict  = errors.New("registry: conflict")
	// ErrNotText: a text value holds a NUL byte or is not valid UTF-8,
	// which PostgreSQL cannot store or compare; the store refuses it
	// rather than fail deeper down.
	ErrNotText = errors.New("registry: not text (NUL byte or invalid UTF-8)")
)

// ValidationError carries one message per offending field. Fields are keyed by
// the CONTRACT field name ("uscc", "districts", …); messages render in the
// reader's language.
type ValidationError struct {
	Fields map[string]i18n.Text
}

// Add records a field's problem, keeping the first one reported.
func (v *ValidationError) Add(field string, t i18n.Text) {
	if v.Fields == nil {
		v.Fields = map[string]i18n.Text{}
	}
	if _, ok := v.Fields[field]; !ok {
		v.Fields[field] = t
	}
}

// Has reports whether field already has a problem.
func (v *ValidationError) Has(field string) bool { _, ok := v.Fields[field]; return ok }

// Err returns v when it holds any field, else nil.
func (v *ValidationError) Err() error {
	if v == nil || len(v.Fields) == 0 {
		return nil
	}
	return v
}

// SortedFields returns the field names in a stable order.
func (v *ValidationError) SortedFields() []string {
	keys := make([]string, 0, len(v.Fields))
	for k := range v.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Messages renders every field's message in lang.
func (v *ValidationError) Messages(lang string) map[string]string {
	out := make(map[string]string, len(v.Fields))
	for k, t := range v.Fields {
		out[k] = t.In(lang)
	}
	return out
}

func (v *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("invalid input: ")
	for i, k := range v.SortedFields() {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k + ": " + v.Fields[k].In(i18n.EN))
	}
	return b.String()
}

// AsValidation returns the ValidationError inside err, if any.
func AsValidation(err error) (*ValidationError, bool) {
	var v *ValidationError
	ok := errors.As(err, &v)
	return v, ok
}
