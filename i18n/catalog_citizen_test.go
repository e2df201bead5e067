package i18n

import (
	"strings"
	"testing"
)

// fullWidthPunctuation is Chinese punctuation that has no place in English
// text (an English reader sees odd wide gaps, and screen readers pause).
const fullWidthPunctuation = "（）：，。；！？"

// TestEnglishHasNoFullWidthPunctuation: no English message contains
// full-width punctuation; Chinese names inside English text go without
// Chinese brackets or colons around them.
func TestEnglishHasNoFullWidthPunctuation(t *testing.T) {
	for _, key := range Keys() {
		_, en, _ := Lookup(key)
		if i := strings.IndexAny(en, fullWidthPunctuation); i >= 0 {
			t.Errorf("%s: English text has full-width punctuation at byte %d: %q", key, i, en)
		}
	}
}
