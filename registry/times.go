package registry

import (
	"errors"
	"strings"
	"time"
)

// Shanghai is Asia/Shanghai (UTC+8, no daylight saving since 1991), fixed so
// the binary does not depend on the host's tz database.
var Shanghai = time.FixedZone("CST", 8*3600)

// FutureSkew is how far in the future an instant may lie before it is rejected.
const FutureSkew = 5 * time.Minute

// formatTime is the storage format: RFC 3339 in UTC, no fractions.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// formatTimePtr stores nil as NULL.
func formatTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

// parseStored reads a stored time; storage is written by us, so an error is
// a bug. The storage format (UTC, "2006-01-02T15:04:05Z") takes a fast path:
// a full rescore parses tens of millions of these.
func parseStored(s string) time.Time {
	if t, ok := parseUTCFast(s); ok {
		return t
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func parseStoredPtr(s *string) *time.Time {
	if s == nil || *s == "" {
		return nil
	}
	t := parseStored(*s)
	return &t
}

// FormatOutput renders t as CONTRACT output: RFC 3339 in +08:00 without fractions.
func FormatOutput(t time.Time) string { return t.In(Shanghai).Format(time.RFC3339) }

// ErrBadTime is returned for a time in none of the accepted forms.
var ErrBadTime = errors.New("not a valid time")

// ParseInstant reads a time as CSV files and the command line accept it:
// RFC 3339 with an offset, or YYYY-MM-DD / YYYY-MM-DD HH:MM[:SS] in
// Asia/Shanghai. bareDate reports whether only a date was given.
func ParseInstant(s string) (t time.Time, bareDate bool, err error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, false, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, Shanghai); err == nil {
		return t, true, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, Shanghai); err == nil {
			return t, false, nil
		}
	}
	return time.Time{}, false, ErrBadTime
}

// ParseValidUntil reads a validity end: a bare date is valid through the end
// of that day (the instant returned is 23:59:59 Asia/Shanghai that day, the
// last valid second: storage and db.now() have whole seconds, so "expired"
// is until.Before(now)).
func ParseValidUntil(s string) (time.Time, error) {
	t, bare, err := ParseInstant(s)
	if err != nil {
		return t, err
	}
	if bare {
		t = t.AddDate(0, 0, 1).Add(-time.Second)
	}
	return t, nil
}

// ParseStoredTime reads a time in the storage format (RFC 3339).
func ParseStoredTime(s string) (time.Time, error) {
	if t, ok := parseUTCFast(s); ok {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

// parseUTCFast parses exactly "YYYY-MM-DDTHH:MM:SSZ".
func parseUTCFast(s string) (time.Time, bool) {
	if len(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' {
		return time.Time{}, false
	}
	num := func(a, b int) (int, bool) {
		n := 0
		for i := a; i < b; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	h, ok4 := num(11, 13)
	mi, ok5 := num(14, 16)
	se, ok6 := num(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC), true
}

// FormatStorage renders t in the storage format (RFC 3339 UTC), for sibling
// packages that compare with stored times in SQL.
func FormatStorage(t time.Time) string { return formatTime(t) }

// LocalDate is an instant's calendar date in Asia/Shanghai, YYYY-MM-DD.
func LocalDate(t time.Time) string { return t.In(Shanghai).Format("2006-01-02") }
