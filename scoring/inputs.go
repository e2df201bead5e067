package scoring

import (
	"cmp"
	"math/bits"
	"slices"
	"strings"
	"time"
)

// Inputs are one vendor's records. Evaluate never modifies them (it sorts copies).
// Records may be in any order and of any age; the window and on-display rules select the
// ones that count at asOf. Callbacks and complaints are one record per WorkOrderNo each
// (the registry upserts on it); if a slice still repeats a non-empty WorkOrderNo, the
// last occurrence in slice order wins, as a sequence of upserts would leave it.
type Inputs struct {
	// RegisteredAt starts the vendor's registration age (days, real number).
	RegisteredAt time.Time `json:"registered_at"`
	// Status is active, suspended or deregistered; "" means active.
	Status string `json:"status"`
	// LicenceValidUntil: the licence is valid at asOf when asOf ≤ it; nil means no expiry.
	LicenceValidUntil *time.Time `json:"licence_valid_until"`
	// InsuranceValidUntil: insurance is in force at asOf when asOf ≤ it; nil means none.
	InsuranceValidUntil *time.Time  `json:"insurance_valid_until"`
	Callbacks           []Callback  `json:"callbacks"`
	Complaints          []Complaint `json:"complaints"`
	Volumes             []Volume    `json:"volumes"`
	Sanctions           []Sanction  `json:"sanctions"`
}

// Callback is one hotline callback after a service; Result is one of the Result* constants
// (any other value counts as volume only, like unreachable).
type Callback struct {
	WorkOrderNo string    `json:"work_order_no"`
	CalledAt    time.Time `json:"called_at"`
	Result      string    `json:"result"`
}

// Complaint is one hotline complaint. Severity is a Severity* constant (an unknown or empty
// one weighs as general); Status is ComplaintOpen or ComplaintClosed; Outcome (Outcome*
// constants) matters only once the complaint is closed at asOf. Complaints sharing a
// non-empty ServiceOrderNo count once.
type Complaint struct {
	WorkOrderNo    string     `json:"work_order_no"`
	ServiceOrderNo string     `json:"service_order_no"`
	ReceivedAt     time.Time  `json:"received_at"`
	Severity       string     `json:"severity"`
	Status         string     `json:"status"`
	Outcome        string     `json:"outcome"`
	DeadlineAt     *time.Time `json:"deadline_at"`
	ClosedAt       *time.Time `json:"closed_at"`
	// LateExcused is set by a regulator: a late closing is not multiplied by the late factor.
	LateExcused bool `json:"late_excused"`
}

// Volume is the number of orders one source reported for a calendar month "YYYY-MM"
// (Asia/Shanghai). With several reports for a month the largest counts; a malformed month
// is ignored.
type Volume struct {
	Month  string `json:"month"`
	Orders int    `json:"orders"`
	Source string `json:"source"`
}

// Sanction is a regulator decision: Kind is a Kind* constant. It is on display from
// IssuedAt while DisplayUntil is nil or later than asOf and it is not Repaired; neither
// limit applies to commendations.
type Sanction struct {
	ID           int64      `json:"id"`
	Kind         string     `json:"kind"`
	IssuedAt     time.Time  `json:"issued_at"`
	DisplayUntil *time.Time `json:"display_until"`
	Repaired     bool       `json:"repaired"`
}

// ref points at one record of a caller's slice that counts at asOf.
type ref struct {
	age time.Duration // asOf − t; exact, as the window keeps it far from saturation
	i   int           // index into the caller's slice
}

// days is the record's age in real days.
func (r ref) days() float64 { return float64(r.age) / day }

// windowed returns refs to the records of s with 0 ≤ age ≤ window days that no later
// record (in slice order) with the same non-empty work order number supersedes, oldest
// first and, at equal times, in the order of cmp. Sorting small refs instead of copies of
// the records keeps the caller's slice untouched and the sort cheap.
func windowed[T any](s []T, asOf time.Time, window float64,
	when func(*T) time.Time, wo func(*T) string, cmp func(a, b *T) int) []ref {
	superseded := supersededMask(s, wo)
	refs := make([]ref, 0, len(s))
	for i := range s {
		d := asOf.Sub(when(&s[i]))
		if inWindow(float64(d)/day, window) && (superseded == nil || !superseded[i]) {
			refs = append(refs, ref{d, i})
		}
	}
	slices.SortFunc(refs, func(a, b ref) int {
		if a.age != b.age {
			return cmpDesc(a.age, b.age) // older (larger age) first
		}
		return cmp(&s[a.i], &s[b.i])
	})
	return refs
}

func cmpDesc(a, b time.Duration) int {
	if a > b {
		return -1
	}
	return 1
}

// supersededMask marks the records followed later in s by one with the same non-empty work
// order number; it is nil when there are none (the usual case, decided without a map).
func supersededMask[T any](s []T, wo func(*T) string) []bool {
	if !mayRepeat(s, wo) {
		return nil
	}
	last := make(map[string]int, len(s))
	for i := range s {
		if k := wo(&s[i]); k != "" {
			last[k] = i
		}
	}
	mask := make([]bool, len(s))
	for i := range s {
		if k := wo(&s[i]); k != "" && last[k] != i {
			mask[i] = true
		}
	}
	return mask
}

// mayRepeat reports whether two non-empty work order numbers of s might be equal: an
// open-addressing set of 64-bit FNV-1a hashes, where a hash collision only costs the
// exact pass in supersededMask.
func mayRepeat[T any](s []T, wo func(*T) string) bool {
	if len(s) < 2 {
		return false
	}
	table := make([]uint64, 1<<bits.Len(uint(2*len(s))))
	mask := uint64(len(table) - 1)
	for i := range s {
		k := wo(&s[i])
		if k == "" {
			continue
		}
		h := uint64(14695981039346656037)
		for j := 0; j < len(k); j++ {
			h = (h ^ uint64(k[j])) * 1099511628211
		}
		h |= 1 // 0 marks an empty slot
		for j := h & mask; ; j = (j + 1) & mask {
			if table[j] == h {
				return true
			}
			if table[j] == 0 {
				table[j] = h
				break
			}
		}
	}
	return false
}

func cmpTimePtr(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Compare(*b)
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// The orders below are total over every field, so equal keys mean interchangeable records
// and the floating-point sums do not depend on the order of the input slices.

func cmpCallback(a, b *Callback) int {
	if c := a.CalledAt.Compare(b.CalledAt); c != 0 {
		return c
	}
	if c := strings.Compare(a.WorkOrderNo, b.WorkOrderNo); c != 0 {
		return c
	}
	return strings.Compare(a.Result, b.Result)
}

func cmpComplaint(a, b *Complaint) int {
	if c := a.ReceivedAt.Compare(b.ReceivedAt); c != 0 {
		return c
	}
	return cmp.Or(
		strings.Compare(a.WorkOrderNo, b.WorkOrderNo),
		strings.Compare(a.ServiceOrderNo, b.ServiceOrderNo),
		strings.Compare(a.Severity, b.Severity),
		strings.Compare(a.Status, b.Status),
		strings.Compare(a.Outcome, b.Outcome),
		cmpTimePtr(a.DeadlineAt, b.DeadlineAt),
		cmpTimePtr(a.ClosedAt, b.ClosedAt),
		cmpBool(a.LateExcused, b.LateExcused),
	)
}

func cmpSanction(a, b *Sanction) int {
	if c := a.IssuedAt.Compare(b.IssuedAt); c != 0 {
		return c
	}
	return cmp.Or(
		cmp.Compare(a.ID, b.ID),
		strings.Compare(a.Kind, b.Kind),
		cmpTimePtr(a.DisplayUntil, b.DisplayUntil),
		cmpBool(a.Repaired, b.Repaired),
	)
}

func callbacksAt(s []Callback, asOf time.Time, window float64) []ref {
	return windowed(s, asOf, window, func(c *Callback) time.Time { return c.CalledAt },
		func(c *Callback) string { return c.WorkOrderNo }, cmpCallback)
}

func complaintsAt(s []Complaint, asOf time.Time, window float64) []ref {
	return windowed(s, asOf, window, func(c *Complaint) time.Time { return c.ReceivedAt },
		func(c *Complaint) string { return c.WorkOrderNo }, cmpComplaint)
}

func sortedSanctions(s []Sanction) []Sanction {
	out := slices.Clone(s)
	slices.SortFunc(out, func(a, b Sanction) int { return cmpSanction(&a, &b) })
	return out
}
