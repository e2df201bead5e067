package views

import (
	"fmt"
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

func sortedKeys(m FieldErrors) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func labelOr(labels map[string]string, k string) string {
	if l, ok := labels[k]; ok {
		return l
	}
	return k
}

func itoa(n int) string { return fmt.Sprint(n) }
