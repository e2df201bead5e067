package web

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"chengxin/registry"
)

// Any ingest body is split and decoded without panicking; every record
// either decodes or carries at least one field error; and a record that
// decodes is valid UTF-8 (no half surrogate pair either) with every key
// given once.
func FuzzIngestBody(f *testing.F) {
	f.Add([]byte(`{"work_order_no":"1","vendor_uscc":"x"}`), false)
	f.Add([]byte(`[{"orders":"ten"},{"nope":1},3,null]`), false)
	f.Add([]byte("{\"a\":1}\n\n{\"b\":2}\n"), true)
	f.Add([]byte(`[`), false)
	f.Add([]byte(`{"work_order_no":"a","work_order_no":"b"}`), false)
	f.Add([]byte("[{\"work_order_no\":\"a\xff\"},{\"summary\":\"\\ud800\"}]"), false)
	f.Add([]byte("{\"summary\":\"\\ud83d\\ude00\"}\n{\"summar\\u0079\":1,\"summary\":2}\n"), true)
	f.Fuzz(func(t *testing.T, body []byte, ndjson bool) {
		raws, err := splitRecords(body, ndjson)
		if err != nil {
			return
		}
		recs, errs := decodeRecords[registry.ComplaintInput](raws, workOrderKey)
		if len(recs) != len(raws) || len(errs) != len(raws) {
			t.Fatalf("%d raws, %d records, %d errors", len(raws), len(recs), len(errs))
		}
		for i, e := range errs {
			if e != nil && len(e.Fields) == 0 {
				t.Fatalf("record %d rejected without a field", i)
			}
			if e != nil {
				continue
			}
			if !utf8.Valid(raws[i]) || !validJSONText(raws[i]) {
				t.Fatalf("record %d decoded although it is not valid UTF-8: %q", i, raws[i])
			}
			if members, distinct := countMembers(raws[i]); members != distinct {
				t.Fatalf("record %d decoded with %d members but %d distinct keys: %q", i, members, distinct, raws[i])
			}
		}
		_, verrs := decodeRecords[registry.VolumeInput](raws, volumeKey)
		_ = verrs
	})
}

// countMembers counts a JSON object's members and its distinct keys.
func countMembers(raw []byte) (members, distinct int) {
	var loose map[string]json.RawMessage
	if json.Unmarshal(raw, &loose) != nil {
		return 0, 0
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.Token()
	for dec.More() {
		dec.Token()
		var v json.RawMessage
		if dec.Decode(&v) != nil {
			break
		}
		members++
	}
	return members, len(loose)
}
