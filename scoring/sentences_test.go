package scoring

import (
	"reflect"
	"testing"
)

// Sentences rebuilt from a stored evaluation and the vendor's status and
// insurance alone equal the ones Evaluate made with every record.
func TestSentencesRebuiltWithoutRecords(t *testing.T) {
	g := newGen(7)
	for i := range propertyCases {
		in := g.inputs(false)
		ev := Evaluate(DefaultRules(), in, g.asOf)
		lite := Inputs{Status: in.Status, InsuranceValidUntil: in.InsuranceValidUntil}
		if got := Sentences(DefaultRules(), ev, lite); !reflect.DeepEqual(got, ev.Sentences) {
			t.Fatalf("case %d: rebuilt sentences differ:\n%v\n%v", i, got, ev.Sentences)
		}
	}
}
