package publicity

import (
	"fmt"
	"time"

	"chengxin/registry"
)

// Schedule says when the server evaluates and publishes, in Asia/Shanghai
// local time.
type Schedule struct {
	EvaluateAt time.Duration // daily evaluation, after local midnight (01:00)
	PublishDay int           // day of the month of the publication run (1)
	PublishAt  time.Duration // time of the publication run on that day (02:00)
}

// DefaultSchedule evaluates daily at 01:00 and publishes on the 1st at 02:00.
var DefaultSchedule = Schedule{EvaluateAt: time.Hour, PublishDay: 1, PublishAt: 2 * time.Hour}

// Validate checks the schedule's ranges.
func (s Schedule) Validate() error {
	if s.PublishDay < 1 || s.PublishDay > 28 {
		return fmt.Errorf("the publication day must be 1–28, not %d", s.PublishDay)
	}
	if s.EvaluateAt < 0 || s.EvaluateAt >= 24*time.Hour || s.PublishAt < 0 || s.PublishAt >= 24*time.Hour {
		return fmt.Errorf("times of day must be between 00:00 and 23:59")
	}
	return nil
}

func localMidnight(t time.Time) time.Time {
	l := t.In(registry.Shanghai)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, registry.Shanghai)
}

// PublicationInstant is the scheduled run of the month containing t.
func (s Schedule) PublicationInstant(t time.Time) time.Time {
	l := t.In(registry.Shanghai)
	return time.Date(l.Year(), l.Month(), s.PublishDay, 0, 0, 0, 0, registry.Shanghai).Add(s.PublishAt)
}

// NextPublication is the first scheduled run strictly after t.
func (s Schedule) NextPublication(t time.Time) time.Time {
	p := s.PublicationInstant(t)
	if !p.After(t) {
		l := t.In(registry.Shanghai)
		p = s.PublicationInstant(time.Date(l.Year(), l.Month()+1, 1, 12, 0, 0, 0, registry.Shanghai))
	}
	return p
}

// NextEvaluation is the first daily evaluation strictly after t.
func (s Schedule) NextEvaluation(t time.Time) time.Time {
	e := localMidnight(t).Add(s.EvaluateAt)
	if !e.After(t) {
		e = localMidnight(t).AddDate(0, 0, 1).Add(s.EvaluateAt)
	}
	return e
}

// Missed lists the scheduled runs of the periods after the latest run's
// period whose instant has passed by now, oldest first: the runs a server
// that was down catches up at start-up. With no run yet there is nothing
// to catch up (the first publication is an explicit decision).
func (s Schedule) Missed(latest *registry.PublicationRun, now time.Time) []time.Time {
	if latest == nil {
		return nil
	}
	var out []time.Time
	l := latest.AsOf.In(registry.Shanghai)
	for m := time.Date(l.Year(), l.Month()+1, 1, 12, 0, 0, 0, registry.Shanghai); ; m = m.AddDate(0, 1, 0) {
		p := s.PublicationInstant(m)
		if p.After(now) {
			return out
		}
		out = append(out, p)
	}
}
