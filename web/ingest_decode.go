package web

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"

	"chengxin/i18n"
	"chengxin/registry"
)

// errBodyNotJSON is returned when the body is neither JSON nor NDJSON.
var errBodyNotJSON = errors.New("body is not valid JSON or NDJSON")

// splitRecords turns a body into raw records: one JSON object, a JSON array,
// or NDJSON (one value per non-blank line).
func splitRecords(body []byte, ndjson bool) ([]json.RawMessage, error) {
	if ndjson {
		var out []json.RawMessage
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(make([]byte, 64<<10), len(body)+1)
		for sc.Scan() {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			if !json.Valid(line) {
				return nil, errBodyNotJSON
			}
			out = append(out, json.RawMessage(bytes.Clone(line)))
		}
		if sc.Err() != nil {
			return nil, errBodyNotJSON
		}
		return out, nil
	}
	trimmed := bytes.TrimSpace(body)
	if !json.Valid(trimmed) {
		return nil, errBodyNotJSON
	}
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var out []json.RawMessage
		if err := json.Unmarshal(trimmed, &out); err != nil {
			return nil, errBodyNotJSON
		}
		return out, nil
	}
	return []json.RawMessage{trimmed}, nil
}

// jsonFields lists the JSON field names of a struct type.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = t.Field(i).Type
		}
	}
	return out
}

// decodeRecords decodes raw records strictly into T: unknown fields, wrong
// types, a key given twice and text that is not valid UTF-8 reject only
// their record, naming every offending field.
// keyOf gives a record's natural key from its loosely read fields.
func decodeRecords[T any](raws []json.RawMessage, keyOf func(map[string]any) string) ([]T, []*registry.DecodeError) {
	recs := make([]T, len(raws))
	errs := make([]*registry.DecodeError, len(raws))
	fields := jsonFields(reflect.TypeFor[T]())
	for i, raw := range raws {
		var loose map[string]any
		if err := json.Unmarshal(raw, &loose); err != nil || loose == nil {
			errs[i] = &registry.DecodeError{Fields: map[string]i18n.Text{"-": i18n.T("record.not_object")}}
			continue
		}
		de := &registry.DecodeError{Key: keyOf(loose), Fields: map[string]i18n.Text{}}
		for name, t := range recordProblems(raw) {
			de.Fields[name] = t
		}
		for name := range loose {
			if _, known := de.Fields[name]; known {
				continue
			}
			if _, ok := fields[name]; !ok {
				de.Fields[name] = i18n.T("record.unknown_field")
			}
		}
		if err := json.Unmarshal(raw, &recs[i]); err != nil {
			// Find every field of the wrong type, one field at a time.
			var obj map[string]json.RawMessage
			json.Unmarshal(raw, &obj)
			for name, v := range obj {
				ft, ok := fields[name]
				if _, reported := de.Fields[name]; !ok || reported {
					continue
				}
				target := reflect.New(ft)
				if err := json.Unmarshal(v, target.Interface()); err != nil {
					de.Fields[name] = i18n.T("record.wrong_type", jsonTypeName(ft))
				}
			}
		}
		if len(de.Fields) > 0 {
			errs[i] = de
		}
	}
	return recs, errs
}

func jsonTypeName(t reflect.Type) string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "integer"
	case reflect.Bool:
		return "boolean"
	}
	return t.String()
}

func stringField(m map[string]any, name string) string {
	s, _ := m[name].(string)
	return strings.TrimSpace(s)
}

func workOrderKey(m map[string]any) string { return stringField(m, "work_order_no") }

func volumeKey(m map[string]any) string {
	return registry.NormalizeUSCC(stringField(m, "vendor_uscc")) + "/" + stringField(m, "month") + "/" + stringField(m, "source")
}
