package registry

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"
	"golang.org/x/text/width"
)

// pinyinKeyArgs: the most common reading of a character, tone as a digit.
var pinyinKeyArgs = pinyin.Args{Style: pinyin.Tone3, Fallback: func(rune, pinyin.Args) []string { return nil }}

// NamePinyinKey is the key that sorts names in pinyin order, as Chinese
// readers expect a list of names: each Han character becomes its most
// common reading with its tone number (5 for the neutral tone), letters
// and digits are folded to half-width lower case and kept in words,
// everything else separates words; the name itself follows after U+001F,
// so equal readings fall back to the characters and a name that is a
// prefix of another sorts first. It is never empty for a non-empty name.
// Readings are per character (行 is always xíng): good for ordering, not a
// dictionary.
func NamePinyinKey(name string) string {
	var b strings.Builder
	word := false // inside a word of letters and digits
	sep := func() {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
	}
	for _, r := range width.Fold.String(name) {
		switch {
		case r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if !word {
				sep()
				word = true
			}
			b.WriteRune(unicode.ToLower(r))
		case unicode.Is(unicode.Han, r):
			word = false
			p := pinyin.SinglePinyin(r, pinyinKeyArgs)
			if len(p) == 0 || p[0] == "" {
				continue
			}
			sep()
			b.WriteString(p[0])
			if last := p[0][len(p[0])-1]; last < '0' || last > '9' {
				b.WriteByte('5')
			}
		default:
			word = false
		}
	}
	b.WriteByte(0x1f)
	b.WriteString(name)
	return b.String()
}

// fillPinyinKeys writes the pinyin key of every vendor that has none yet:
// rows from before the key existed, or written by a path that did not set
// it. It runs when the database is opened; with nothing to fill it is one
// indexed read.
func (db *DB) fillPinyinKeys(ctx context.Context) error {
	for {
		rows, err := db.write.QueryContext(ctx, `SELECT id, name FROM vendors WHERE name_pinyin = '' LIMIT 2000`)
		if err != nil {
			return fmt.Errorf("registry: pinyin keys: %w", err)
		}
		type row struct {
			id   int64
			name string
		}
		var todo []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.name); err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(todo) == 0 {
			return nil
		}
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			for _, r := range todo {
				if _, err := tx.ExecContext(ctx, `UPDATE vendors SET name_pinyin = ? WHERE id = ?`, NamePinyinKey(r.name), r.id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("registry: pinyin keys: %w", err)
		}
	}
}
