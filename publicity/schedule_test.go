package publicity

import (
	"testing"
	"time"

	"chengxin/registry"
)

func sh(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, registry.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestScheduleInstants(t *testing.T) {
	s := DefaultSchedule
	if got := s.NextPublication(sh("2026-11-01 01:59")); !got.Equal(sh("2026-11-01 02:00")) {
		t.Errorf("next publication before 02:00 = %v", got)
	}
	if got := s.NextPublication(sh("2026-11-01 02:00")); !got.Equal(sh("2026-12-01 02:00")) {
		t.Errorf("next publication at 02:00 = %v", got)
	}
	if got := s.NextPublication(sh("2026-12-15 09:00")); !got.Equal(sh("2027-01-01 02:00")) {
		t.Errorf("next publication across the year = %v", got)
	}
	if got := s.NextEvaluation(sh("2026-11-26 00:30")); !got.Equal(sh("2026-11-26 01:00")) {
		t.Errorf("next evaluation = %v", got)
	}
	if got := s.NextEvaluation(sh("2026-11-26 01:00")); !got.Equal(sh("2026-11-27 01:00")) {
		t.Errorf("next evaluation after = %v", got)
	}
}

func TestScheduleMissed(t *testing.T) {
	s := DefaultSchedule
	if got := s.Missed(nil, sh("2026-11-26 09:00")); len(got) != 0 {
		t.Errorf("no run yet: %v, want nothing (never on a database without runs)", got)
	}
	latest := &registry.PublicationRun{AsOf: sh("2026-08-01 02:00")}
	got := s.Missed(latest, sh("2026-11-01 01:00"))
	want := []time.Time{sh("2026-09-01 02:00"), sh("2026-10-01 02:00")}
	if len(got) != len(want) || !got[0].Equal(want[0]) || !got[1].Equal(want[1]) {
		t.Errorf("missed = %v, want %v", got, want)
	}
	if got := s.Missed(latest, sh("2026-11-01 02:00")); len(got) != 3 {
		t.Errorf("missed at the instant = %v, want 3 runs", got)
	}
	// An on-demand run in mid-month counts for its period.
	if got := s.Missed(&registry.PublicationRun{AsOf: sh("2026-11-15 10:00")}, sh("2026-11-30 23:00")); len(got) != 0 {
		t.Errorf("after an on-demand run: %v", got)
	}
}
