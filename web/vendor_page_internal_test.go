package web

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// TestVendorPageEncodeIsEncodingJSON: the open-data search page written
// from stored items is byte for byte what encoding/json's Encoder (echo's
// c.JSON) writes for it, compact and indented, with and without a query
// reading, for no items, and for items holding what the encoder escapes.
func TestVendorPageEncodeIsEncodingJSON(t *testing.T) {
	item := func(v any) json.RawMessage {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	awkward := item(map[string]any{"name": "和平<家政>&保洁\u2028", "score": 88.5, "tags": []string{"a", "b"}, "nested": map[string]any{"x": nil}})
	plain := item(map[string]any{"uscc": "91120101MA05L8XX1X", "grade": "A"})
	pages := []vendorPage{
		{Items: []json.RawMessage{awkward, plain}, Page: 2, PerPage: 20, Total: 41},
		{Items: []json.RawMessage{}, Page: 1, PerPage: 20, Total: 0},
		{Items: nil, Page: 1, PerPage: 20},
		{Items: []json.RawMessage{plain}, Page: 1, PerPage: 100, Total: 1,
			Interpreted: &queryReading{Q: "保洁 和平", Category: "cleaning", Words: "和平<"}},
	}
	// encode names vendorPage's fields itself: a field added to the type
	// must be set here (in the last page) and so be compared below.
	full := reflect.ValueOf(pages[len(pages)-1])
	for f := 0; f < full.NumField(); f++ {
		if full.Field(f).IsZero() {
			t.Fatalf("vendorPage.%s is not set in the last test page: set it, and write it in encode", full.Type().Field(f).Name)
		}
	}
	for i, page := range pages {
		for _, pretty := range []bool{false, true} {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			if pretty {
				enc.SetIndent("", "  ")
			}
			if err := enc.Encode(page); err != nil {
				t.Fatal(err)
			}
			got, err := page.encode(pretty)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("page %d, pretty %v:\n got %s\nwant %s", i, pretty, got, want.Bytes())
			}
		}
	}
}
