// Package publicity decides what the public may see: publication runs,
// objection periods and overrides, and the read models behind the public pages
// and open data. It never logs and never reads the clock itself.
package publicity

import (
	"context"

	"chengxin/registry"
)

// Vendor is CONTRACT.md's public `Vendor` object. Grade fields are null until
// the vendor's first publication; nothing here is private (no phone, address
// or complaint text).
type Vendor struct {
	USCC         string       `json:"uscc"`
	Name         string       `json:"name"`
	Status       string       `json:"status"`
	Districts    []string     `json:"districts"`
	Categories   []string     `json:"categories"`
	Grade        *string      `json:"grade"`
	Score        *float64     `json:"score"`
	PublishedAt  *string      `json:"published_at"`
	RulesVersion *string      `json:"rules_version"`
	Evaluation   any          `json:"evaluation"`
	Memberships  []Membership `json:"memberships"`
	Sanctions    []any        `json:"sanctions"`
	Reply        *string      `json:"reply"`
	History      []any        `json:"history"`
}

// Membership is a public, active membership.
type Membership struct {
	OrgUSCC string `json:"org_uscc"`
	OrgName string `json:"org_name"`
	Since   string `json:"since"`
}

// FindVendor builds the public record of the vendor with the given code, or
// returns registry.ErrNotFound (also for a malformed code).
func FindVendor(ctx context.Context, db *registry.DB, uscc string) (Vendor, error) {
	v, err := db.FindVendorByUSCC(ctx, uscc)
	if err != nil {
		return Vendor{}, err
	}
	out := Vendor{USCC: v.USCC, Name: v.Name, Status: v.Status, Districts: nonNil(v.Districts), Categories: nonNil(v.Categories),
		Memberships: []Membership{}, Sanctions: []any{}, History: []any{}}
	ms, err := db.MembershipsOfVendor(ctx, v.ID)
	if err != nil {
		return out, err
	}
	for _, m := range ms {
		if m.Status == registry.MemberActive {
			out.Memberships = append(out.Memberships, Membership{OrgUSCC: m.OrgUSCC, OrgName: m.OrgName, Since: registry.FormatOutput(m.Since)})
		}
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
