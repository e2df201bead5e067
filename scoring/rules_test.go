package scoring

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// goldenHash pins the content hash of HSCS-1.0: stored evaluations refer to it, so it must
// not change unless the rules (or their canonical encoding) deliberately change.
const goldenHash = "sha256:777e9ceec4207367b30054914f622baffc775c9af533ddfc48fa8f144997b19c"

func TestDefaultRulesValidAndHashStable(t *testing.T) {
	r := DefaultRules()
	if err := r.Validate(); err != nil {
		t.Fatalf("DefaultRules invalid: %v", err)
	}
	if r.Version != "HSCS-1.0" {
		t.Errorf("version %q", r.Version)
	}
	if h := r.Hash(); h != goldenHash || h != DefaultRules().Hash() {
		t.Errorf("hash %s, want %s", h, goldenHash)
	}
}

// floatFields returns pointers to every float64 parameter of r, by JSON-ish path.
func floatFields(r *Rules) map[string]*float64 {
	out := map[string]*float64{}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		for i := range v.NumField() {
			f, name := v.Field(i), path+"."+v.Type().Field(i).Name
			switch f.Kind() {
			case reflect.Struct:
				walk(f, name)
			case reflect.Float64:
				out[name] = f.Addr().Interface().(*float64)
			}
		}
	}
	walk(reflect.ValueOf(r).Elem(), "")
	return out
}

func TestHashChangesWithEveryParameter(t *testing.T) {
	base := DefaultRules().Hash()
	fields := floatFields(new(Rules))
	if len(fields) < 40 {
		t.Fatalf("only %d float parameters found", len(fields))
	}
	for name := range fields {
		t.Run(name, func(t *testing.T) {
			r := DefaultRules()
			*floatFields(&r)[name] += 0.001
			if r.Hash() == base {
				t.Errorf("hash unchanged after changing %s", name)
			}
		})
	}
	r := DefaultRules()
	r.Version = "HSCS-1.1"
	if r.Hash() == base {
		t.Error("hash unchanged after changing the version")
	}
}

func TestTestdataRulesEqualDefault(t *testing.T) {
	data, err := os.ReadFile("testdata/hscs-1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseRules(data)
	if err != nil {
		t.Fatalf("ParseRules(testdata/hscs-1.0.json): %v", err)
	}
	if !reflect.DeepEqual(r, DefaultRules()) || r.Hash() != goldenHash {
		t.Errorf("testdata rules differ from DefaultRules:\n%+v", r)
	}
}

// edit returns the default rules as JSON with one change applied to the generic document.
func edit(t *testing.T, change func(m map[string]any)) []byte {
	t.Helper()
	b, _ := json.Marshal(DefaultRules())
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	out, _ := json.Marshal(m)
	return out
}

func sub(m map[string]any, key string) map[string]any { return m[key].(map[string]any) }

func TestParseRulesRejects(t *testing.T) {
	cases := []struct {
		name   string
		data   func(t *testing.T) []byte
		errHas []string
	}{
		{"syntax", func(*testing.T) []byte { return []byte(`{"version": `) }, []string{"rules:"}},
		{"trailing data", func(*testing.T) []byte { return []byte(`{} {}`) }, []string{"invalid character"}},
		{"not an object", func(*testing.T) []byte { return []byte(`[1]`) }, []string{"must be a JSON object"}},
		{"unknown top-level field", func(t *testing.T) []byte {
			return edit(t, func(m map[string]any) { m["windw_days"] = 1 })
		}, []string{"unknown field windw_days"}},
		{"unknown nested field", func(t *testing.T) []byte {
			return edit(t, func(m map[string]any) { sub(sub(m, "complaints"), "severity")["critical"] = 8 })
		}, []string{"unknown field complaints.severity.critical"}},
		{"missing field", func(t *testing.T) []byte {
			return edit(t, func(m map[string]any) { delete(sub(m, "bonus"), "max_points") })
		}, []string{"missing field bonus.max_points"}},
		{"case-mismatched key", func(t *testing.T) []byte {
			return edit(t, func(m map[string]any) { m["Version"] = m["version"]; delete(m, "version") })
		}, []string{"unknown field Version", "missing field version"}},
		{"wrong type", func(t *testing.T) []byte {
			return edit(t, func(m map[string]any) { sub(m, "satisfaction")["half_life_days"] = "180" })
		}, []string{"satisfaction.half_life_days must be a number"}},
		{"null section", func(t *testing.T) []byte {
			return edit(t, func(m map[string]any) { m["grades"] = nil })
		}, []string{"grades must be a JSON object"}},
		{"zero half-life", func(t *testing.T) []byte {
			return edit(t, func(m map[string]any) { sub(m, "complaints")["half_life_days"] = 0 })
		}, []string{"complaints.half_life_days must be > 0, got 0"}},
		{"negative points", func(t *testing.T) []byte {
			return edit(t, func(m map[string]any) { sub(sub(m, "regulatory"), "points")["fine"] = -5 })
		}, []string{"regulatory.points.fine must be ≥ 0, got -5"}},
		{"thresholds not descending", func(t *testing.T) []byte {
			return edit(t, func(m map[string]any) { sub(m, "grades")["b"] = 95 })
		}, []string{"grade thresholds must descend (a > b > c), got a=90 b=95 c=60"}},
		{"prior mean above 1", func(t *testing.T) []byte {
			return edit(t, func(m map[string]any) { sub(m, "satisfaction")["prior_mean"] = 80 })
		}, []string{"satisfaction.prior_mean must be between 0 and 1, got 80"}},
		{"late factor below 1", func(t *testing.T) []byte {
			return edit(t, func(m map[string]any) { sub(m, "complaints")["late_factor"] = 0.5 })
		}, []string{"complaints.late_factor must be ≥ 1, got 0.5"}},
		{"empty version and huge window", func(t *testing.T) []byte {
			return edit(t, func(m map[string]any) { m["version"] = ""; m["window_days"] = 1e9 })
		}, []string{"version must not be empty", "window_days must be ≤ 36500"}},
		{"satisfaction values out of order", func(t *testing.T) []byte {
			return edit(t, func(m map[string]any) { sub(m, "satisfaction")["dissatisfied"] = 0.9 })
		}, []string{"satisfied ≥ basically_satisfied ≥ dissatisfied"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRules(tc.data(t))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, want := range tc.errHas {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

func TestParseRulesAcceptsCandidate(t *testing.T) {
	data := edit(t, func(m map[string]any) {
		m["version"] = "HSCS-1.1-candidate"
		sub(m, "grades")["a"] = 92
	})
	r, err := ParseRules(data)
	if err != nil {
		t.Fatal(err)
	}
	if r.Grades.A != 92 || r.Version != "HSCS-1.1-candidate" || r.Hash() == goldenHash {
		t.Errorf("parsed %+v", r)
	}
}

func TestGradeRankAndWorse(t *testing.T) {
	order := []string{GradeA, GradeB, GradeC, GradeD}
	for i, a := range order {
		for j, b := range order {
			if got := WorseGrade(a, b); got != (i > j) {
				t.Errorf("WorseGrade(%s, %s) = %v", a, b, got)
			}
		}
		if WorseGrade(a, GradeN) || WorseGrade(GradeN, a) || GradeRank(a) <= GradeRank(GradeN) {
			t.Errorf("N must be neither better nor worse than %s", a)
		}
	}
	if GradeRank("X") != 0 || GradeRank(GradeN) != 0 || GradeRank(GradeA) != 4 || GradeRank(GradeD) != 1 {
		t.Error("ranks")
	}
	g := DefaultRules().Grades
	for grade, want := range map[string]float64{GradeA: 90, GradeB: 75, GradeC: 60, GradeD: 0} {
		if th, ok := g.Threshold(grade); !ok || th != want {
			t.Errorf("Threshold(%s) = %v %v", grade, th, ok)
		}
	}
	if _, ok := g.Threshold(GradeN); ok {
		t.Error("N has no threshold")
	}
}
