package views

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func describedBy(name, hint string, errs FieldErrors) string {
	var ids []string
	if hint != "" {
		ids = append(ids, "h-"+name)
	}
	if errs[name] != "" {
		ids = append(ids, "e-"+name)
	}
	return strings.Join(ids, " ")
}

// Labels names a form's fields, in the form's order.
type Labels []Label

// Label is one field's name and its label text.
type Label struct{ Field, Text string }

// ordered lists the fields with errors: the form's order first, then the rest sorted.
func (l Labels) ordered(errs FieldErrors) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range l {
		if _, ok := errs[f.Field]; ok {
			out = append(out, f.Field)
			seen[f.Field] = true
		}
	}
	var rest []string
	for k := range errs {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func (l Labels) of(field string) string {
	for _, f := range l {
		if f.Field == field {
			return f.Text
		}
	}
	return field
}

// loginAction keeps the page to return to in the sign-in form's URL.
func loginAction(next string) string {
	if next == "" {
		return "/console/login"
	}
	return "/console/login?next=" + url.QueryEscape(next)
}

func itoa(n int) string { return fmt.Sprint(n) }

// caseErrs are the review page's field errors when they belong to case c,
// keyed "FIELD-ID" so every case's form has its own element ids.
func caseErrs(v ReviewsView, c CaseRow) FieldErrors {
	if v.ErrCase != c.ID || len(v.Errs) == 0 {
		return nil
	}
	out := FieldErrors{}
	for k, m := range v.Errs {
		out[k+"-"+c.ID] = m
	}
	return out
}

// caseLabels are the decision form's labels for case id's element ids.
func caseLabels(l Labels, id string) Labels {
	out := make(Labels, 0, len(l))
	for _, x := range l {
		out = append(out, Label{Field: x.Field + "-" + id, Text: x.Text})
	}
	return out
}
