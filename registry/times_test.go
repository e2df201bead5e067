package registry_test

import (
	"errors"
	"testing"
	"time"

	"chengxin/registry"
)

func TestParseInstant(t *testing.T) {
	t.Parallel()
	sh := registry.Shanghai
	tests := []struct {
		in   string
		want time.Time
		bare bool
	}{
		{"2025-03-15T10:00:00+08:00", time.Date(2025, 3, 15, 2, 0, 0, 0, time.UTC), false},
		{"2025-03-15T02:00:00Z", time.Date(2025, 3, 15, 2, 0, 0, 0, time.UTC), false},
		{"2025-03-14T21:00:00-05:00", time.Date(2025, 3, 15, 2, 0, 0, 0, time.UTC), false},
		{"2025-03-15T10:00:00.5+08:00", time.Date(2025, 3, 15, 2, 0, 0, 5e8, time.UTC), false},
		{"2025-03-15", time.Date(2025, 3, 14, 16, 0, 0, 0, time.UTC), true},
		{"  2025-03-15\t", time.Date(2025, 3, 15, 0, 0, 0, 0, sh), true},
		{"2025-03-15 10:30", time.Date(2025, 3, 15, 10, 30, 0, 0, sh), false},
		{"2025-03-15 10:30:45", time.Date(2025, 3, 15, 10, 30, 45, 0, sh), false},
		{"2025-03-15T10:30", time.Date(2025, 3, 15, 10, 30, 0, 0, sh), false},
		{"2025-03-15T10:30:45", time.Date(2025, 3, 15, 2, 30, 45, 0, time.UTC), false},
		{"2024-02-29", time.Date(2024, 2, 29, 0, 0, 0, 0, sh), true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, bare, err := registry.ParseInstant(tt.in)
			if err != nil {
				t.Fatalf("ParseInstant(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) || bare != tt.bare {
				t.Errorf("ParseInstant(%q) = %v, bare %v; want %v, bare %v", tt.in, got, bare, tt.want, tt.bare)
			}
		})
	}
	bad := []string{"", "  ", "2025-3-15", "2025/03/15", "15.03.2025", "2025-02-29", "2025-13-01", "2025-03-15 25:00",
		"2025-03-15T10:00:00+0800", "2025-03-15 10", "yesterday", "1742004000", "2025-03-15T10:00:00 +08:00"}
	for _, in := range bad {
		t.Run("bad/"+in, func(t *testing.T) {
			got, bare, err := registry.ParseInstant(in)
			if !errors.Is(err, registry.ErrBadTime) {
				t.Errorf("ParseInstant(%q) = %v, %v, %v; want ErrBadTime", in, got, bare, err)
			}
		})
	}
}

func TestParseValidUntil(t *testing.T) {
	t.Parallel()
	sh := registry.Shanghai
	tests := []struct {
		in   string
		want time.Time
	}{
		// A bare date is valid through the end of that day in Tianjin.
		{"2025-12-31", time.Date(2025, 12, 31, 23, 59, 59, 0, sh)},
		{"2024-02-28", time.Date(2024, 2, 28, 23, 59, 59, 0, sh)},
		{"2025-12-31 18:00", time.Date(2025, 12, 31, 18, 0, 0, 0, sh)},
		{"2025-12-31T00:00:00+08:00", time.Date(2025, 12, 31, 0, 0, 0, 0, sh)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := registry.ParseValidUntil(tt.in)
			if err != nil || !got.Equal(tt.want) {
				t.Fatalf("ParseValidUntil(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
	// The whole day is covered, the next is not.
	end, _ := registry.ParseValidUntil("2025-03-15")
	if end.Before(time.Date(2025, 3, 15, 23, 59, 59, 0, sh)) {
		t.Errorf("2025-03-15 ends at %v, before the day's last second", end)
	}
	if !end.Before(time.Date(2025, 3, 16, 0, 0, 0, 0, sh)) {
		t.Errorf("2025-03-15 ends at %v, not before the next day", end)
	}
	for _, in := range []string{"", "2025-02-30", "31/12/2025", "never"} {
		if _, err := registry.ParseValidUntil(in); !errors.Is(err, registry.ErrBadTime) {
			t.Errorf("ParseValidUntil(%q): %v, want ErrBadTime", in, err)
		}
	}
}

func TestFormatOutput(t *testing.T) {
	t.Parallel()
	got := registry.FormatOutput(time.Date(2025, 3, 15, 2, 0, 0, 123456789, time.UTC))
	if got != "2025-03-15T10:00:00+08:00" {
		t.Errorf("FormatOutput = %q", got)
	}
}
