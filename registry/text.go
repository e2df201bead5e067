package registry

import (
	"strings"
	"unicode/utf8"
)

// IsText reports whether s can be stored as text on both engines: valid
// UTF-8 without NUL bytes (PostgreSQL refuses both; SQLite would store them).
func IsText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
