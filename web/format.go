package web

import (
	"github.com/labstack/echo/v4"
	"slices"
	"strconv"
	"strings"
	"time"

	"chengxin/i18n"
	"chengxin/registry"
	"chengxin/views"
)

func itoa(n int) string { return strconv.Itoa(n) }

// dateText shows an instant as a local (Asia/Shanghai) date.
func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(registry.Shanghai).Format("2006-01-02")
}

// untilText shows a validity end (stored as the last second of its day) as its date.
func untilText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return dateText(*t)
}

func districtNames(codes []string, lang string) string {
	names := make([]string, 0, len(codes))
	for _, c := range codes {
		if d, ok := registry.DistrictByCode(c); ok {
			names = append(names, d.Name(lang))
		} else {
			names = append(names, c)
		}
	}
	return strings.Join(names, i18n.Get(lang, "punct.list"))
}

func categoryNames(codes []string, lang string) string {
	names := make([]string, 0, len(codes))
	for _, c := range codes {
		if cat, ok := registry.CategoryByCode(c); ok {
			names = append(names, cat.Name(lang))
		} else {
			names = append(names, c)
		}
	}
	return strings.Join(names, i18n.Get(lang, "punct.list"))
}

func districtOptions(lang string, selected ...string) []views.Option {
	var out []views.Option
	for _, d := range registry.Districts() {
		out = append(out, views.Option{Value: d.Code, Label: d.Name(lang), Selected: slices.Contains(selected, d.Code)})
	}
	return out
}

func categoryOptions(lang string, selected ...string) []views.Option {
	var out []views.Option
	for _, c := range registry.Categories() {
		out = append(out, views.Option{Value: c.Code, Label: c.Name(lang), Selected: slices.Contains(selected, c.Code)})
	}
	return out
}

// labels builds a form's field labels, in form order, from "field.NAME" keys
// (or an explicit key after a colon: "username:login.username").
func labels(c echo.Context, fields ...string) views.Labels {
	out := make(views.Labels, 0, len(fields))
	for _, f := range fields {
		name, key, ok := strings.Cut(f, ":")
		if !ok {
			key = "field." + name
		}
		out = append(out, views.Label{Field: name, Text: tr(c, key)})
	}
	return out
}

// formErrors renders a validation error's messages in the user's language.
// selects names the fields the form offers as a choice list: an invalid
// value there can only be no choice or a tampered one, so its message asks
// to choose from the list instead of listing the codes the registry accepts
// (which CSV files and the API need, but a form user never sees).
func formErrors(c echo.Context, verr *registry.ValidationError, selects ...string) map[string]string {
	msgs := verr.Messages(lang(c))
	for _, f := range selects {
		if t, ok := verr.Fields[f]; ok && (t.Key == "field.oneof" || t.Key == "field.required") {
			msgs[f] = tr(c, "form.choose")
		}
	}
	return msgs
}
