package web_test

import (
	"encoding/json"
	"strings"
	"testing"

	"chengxin/registry"
	"chengxin/registry/registrytest"
)

// rawComplaint is a valid complaint record as JSON text, with extra members
// (already encoded, possibly repeating a key or holding bad bytes) appended.
// (json.Marshal would replace bad bytes, so they are written in by hand.)
func rawComplaint(t *testing.T, wo string, extra ...string) string {
	t.Helper()
	b, err := json.Marshal(ingComplaint(wo, vendorUSCC))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimSuffix(string(b), "}")
	for _, m := range extra {
		s += "," + m
	}
	return s + "}"
}

// A record in which a key appears twice, or that holds text that is not
// valid UTF-8 (raw bytes or half a surrogate pair), is rejected alone with
// a message naming the field, in a JSON object, an array and NDJSON; it is
// never merged (last key wins) or stored with its bytes replaced.
func TestIngestRefusesDuplicateKeysAndBadText(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok, _ := e.ingestToken("hotline")
	records := []struct {
		name, body, field, msg string
		ok                     bool
	}{
		{"a key twice", rawComplaint(t, "8890-D-1", `"work_order_no":"8890-D-2"`), "work_order_no", "appears more than once", false},
		{"a key twice, escaped", rawComplaint(t, "8890-D-3", `"summar\u0079":"一","summary":"二"`), "summary", "appears more than once", false},
		{"raw bad bytes in a key's value", strings.Replace(rawComplaint(t, "8890-D-4"), "8890-D-4", "8890-D-4\xff", 1), "work_order_no", "not valid UTF-8", false},
		{"raw bad bytes in the summary", rawComplaint(t, "8890-D-5", "\"summary\":\"迟\xe5\x88到\""), "summary", "not valid UTF-8", false},
		{"half a surrogate pair", rawComplaint(t, "8890-D-6", `"summary":"\ud83d迟到"`), "summary", "not valid UTF-8", false},
		{"a lone low surrogate", rawComplaint(t, "8890-D-7", `"summary":"\udc00"`), "summary", "not valid UTF-8", false},
		{"a bad field name", rawComplaint(t, "8890-D-8", "\"sum\xffmary\":\"x\""), "sum\ufffdmary", "field name is not valid UTF-8", false},
		{"a whole surrogate pair", rawComplaint(t, "8890-D-9", `"summary":"\ud83d\ude00 满意"`), "", "", true},
		{"an escaped backslash before u", rawComplaint(t, "8890-D-10", `"summary":"C:\\ud800"`), "", "", true},
		{"a literal replacement character", rawComplaint(t, "8890-D-11", "\"summary\":\"\ufffd\""), "", "", true},
	}
	check := func(t *testing.T, sum registry.IngestSummary) {
		t.Helper()
		if len(sum.Results) != len(records) {
			t.Fatalf("%d results for %d records", len(sum.Results), len(records))
		}
		for i, rec := range records {
			r := sum.Results[i]
			if rec.ok {
				if r.Status == registry.ResultRejected {
					t.Errorf("%s: rejected %v", rec.name, r.Errors)
				}
				continue
			}
			wantRecordError(t, sum, i, rec.field, rec.msg)
		}
	}
	var array, ndjson []string
	for _, rec := range records {
		array = append(array, rec.body)
		ndjson = append(ndjson, rec.body)
	}
	t.Run("array", func(t *testing.T) {
		check(t, e.ingestBody(tok, "/api/v1/complaints", "application/json", []byte("["+strings.Join(array, ",")+"]")))
	})
	t.Run("NDJSON", func(t *testing.T) {
		check(t, e.ingestBody(tok, "/api/v1/complaints", "application/x-ndjson", []byte(strings.Join(ndjson, "\n")+"\n")))
	})
	t.Run("one object", func(t *testing.T) {
		sum := e.ingestBody(tok, "/api/v1/complaints", "application/json", []byte(records[0].body))
		wantRecordError(t, sum, 0, "work_order_no", "appears more than once")
		sum = e.ingestBody(tok, "/api/v1/complaints", "application/json", []byte(records[3].body))
		wantRecordError(t, sum, 0, "summary", "not valid UTF-8")
	})
	// Only the three valid records were stored, none of the others' keys.
	var keys []string
	rows, err := registrytest.SQL(t, e.db).Query(`SELECT work_order_no FROM complaints ORDER BY work_order_no`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(keys, " ") != "8890-D-10 8890-D-11 8890-D-9" {
		t.Errorf("stored work orders %q", keys)
	}
}
