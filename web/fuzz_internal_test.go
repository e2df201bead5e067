package web

import (
	"testing"

	"chengxin/registry"
)

// Any ingest body is split and decoded without panicking; every record
// either decodes or carries at least one field error.
func FuzzIngestBody(f *testing.F) {
	f.Add([]byte(`{"work_order_no":"1","vendor_uscc":"x"}`), false)
	f.Add([]byte(`[{"orders":"ten"},{"nope":1},3,null]`), false)
	f.Add([]byte("{\"a\":1}\n\n{\"b\":2}\n"), true)
	f.Add([]byte(`[`), false)
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
		}
		_, verrs := decodeRecords[registry.VolumeInput](raws, volumeKey)
		_ = verrs
	})
}
