package registry

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"

	"chengxin/i18n"
)

// Field limits shared by forms, CSV files and the API.
const (
	MaxTextLen      = 200 // name, address, legal_rep (characters)
	MaxShortTextLen = 64  // licence_no, reference (characters)
	MaxPhoneLen     = 32
)

var (
	validateOnce sync.Once
	validate     *validator.Validate
)

// validatorInstance builds the shared validator with Chengxin's own tags:
// printable (no control characters), phone, district, category.
func validatorInstance() *validator.Validate {
	validateOnce.Do(func() {
		v := validator.New(validator.WithRequiredStructEnabled())
		v.RegisterTagNameFunc(func(f reflect.StructField) string {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				return f.Name
			}
			return name
		})
		must(v.RegisterValidation("printable", func(fl validator.FieldLevel) bool { return isPrintable(fl.Field().String()) }))
		must(v.RegisterValidation("phone", func(fl validator.FieldLevel) bool { return isPhone(fl.Field().String()) }))
		must(v.RegisterValidation("district", func(fl validator.FieldLevel) bool { _, ok := DistrictByCode(fl.Field().String()); return ok }))
		must(v.RegisterValidation("category", func(fl validator.FieldLevel) bool { _, ok := CategoryByCode(fl.Field().String()); return ok }))
		validate = v
	})
	return validate
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// isPrintable accepts any printable Unicode: letters, marks, numbers,
// punctuation, symbols and ordinary spaces; no control or format characters.
func isPrintable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == ' ' || r == '\u3000' {
			continue
		}
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

func isPhone(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r == ' ' || r == '+' || r == '-') {
			return false
		}
	}
	return true
}

// checkStruct runs validator/v10 on s and adds one message per failing field
// to verr, translated from the tag that failed.
func checkStruct(s any, verr *ValidationError) {
	err := validatorInstance().Struct(s)
	var errs validator.ValidationErrors
	if !errors.As(err, &errs) {
		return
	}
	for _, fe := range errs {
		field := fe.Field()
		if i := strings.IndexByte(field, '['); i > 0 { // districts[0] → districts
			field = field[:i]
		}
		verr.Add(field, tagMessage(fe))
	}
}

func tagMessage(fe validator.FieldError) i18n.Text {
	switch fe.Tag() {
	case "required", "min":
		if fe.Kind() == reflect.Slice {
			return i18n.T("field.required_list")
		}
		if fe.Tag() == "required" {
			return i18n.T("field.required")
		}
		return i18n.T("field.too_short", fe.Param())
	case "max":
		if fe.Kind() == reflect.Slice {
			return i18n.T("field.too_many", fe.Param())
		}
		return i18n.T("field.too_long", fe.Param())
	case "printable":
		return i18n.T("field.printable")
	case "phone":
		return i18n.T("input.phone")
	case "district":
		return i18n.T("input.district", fe.Value())
	case "category":
		return i18n.T("input.category", fe.Value())
	case "oneof":
		return i18n.T("field.oneof", strings.ReplaceAll(fe.Param(), " ", ", "))
	case "alphanumunicode", "username":
		return i18n.T("field.username")
	}
	return i18n.T("field.invalid")
}

// splitCodes splits a ";"-separated cell (also accepting "," and the
// full-width separators Excel users type), trims and de-duplicates it.
func splitCodes(s string) []string {
	s = strings.NewReplacer("；", ";", "，", ";", ",", ";", "、", ";").Replace(s)
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.Split(s, ";") {
		p = strings.TrimSpace(p)
		if p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// cleanText trims surrounding whitespace (ASCII and the ideographic space).
func cleanText(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\u3000' })
}
