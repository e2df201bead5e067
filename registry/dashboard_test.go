package registry_test

import (
	"testing"

	"chengxin/registry"
)

// The rates divide what a 12345/8890 report divides, and say when there is
// nothing to divide by instead of reporting 0%.
func TestMonthRates(t *testing.T) {
	t.Parallel()
	m := registry.MonthRates{Due: 5, OnTime: 3, WorkOrders: 30, Dispatched: true,
		Satisfied: 6, BasicallySatisfied: 2, Dissatisfied: 1, Unreachable: 3}
	if m.Reached() != 9 || m.Callbacks() != 12 {
		t.Errorf("reached %d, callbacks %d", m.Reached(), m.Callbacks())
	}
	for name, tc := range map[string]struct {
		f    func() (float64, bool)
		want float64
	}{
		"on time":      {m.OnTimeRate, 0.6},
		"callback":     {m.CallbackRate, 0.3}, // unreachable calls are not callbacks made
		"satisfaction": {m.SatisfactionRate, 8.0 / 9},
	} {
		if got, ok := tc.f(); !ok || got != tc.want {
			t.Errorf("%s = %v, %v; want %v", name, got, ok, tc.want)
		}
	}
	var empty registry.MonthRates
	empty.Unreachable = 4
	for name, f := range map[string]func() (float64, bool){
		"on time": empty.OnTimeRate, "callback": empty.CallbackRate, "satisfaction": empty.SatisfactionRate,
	} {
		if _, ok := f(); ok {
			t.Errorf("%s of an empty month is reported", name)
		}
	}
}
