package publicity

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	fastjson "github.com/goccy/go-json"

	"chengxin/registry"
	"chengxin/scoring"
)

// A vendor's public document is everything the public sees of it, built by
// one function (buildDocuments) when something that affects it changes and
// stored per vendor (registry.PublicDocument): the vendor JSON exactly as
// GET /api/v1/vendors/{uscc} sends it, the vendor as a list item, and the
// rest of the disclosure page (storedProfile). Profile pages, the JSON,
// badges, stickers and list rows all read it, so they cannot disagree,
// and a read costs one indexed lookup however long ago the vendor was
// last asked for.

// storedProfile is what the disclosure page needs beyond the vendor JSON.
type storedProfile struct {
	Headline     Headline          `json:"headline"`
	RegisteredAt time.Time         `json:"registered_at"`
	Latest       *storedEvaluation `json:"latest,omitempty"`
	RulesVersion string            `json:"rules_version"` // of Latest; the rules in force without one
	From         time.Time         `json:"from"`
	To           time.Time         `json:"to"`
	Years        []ComplaintYear   `json:"years"`
	Totals       ComplaintYear     `json:"totals"`
	Quarters     []CallbackQuarter `json:"quarters"`
	Callbacks    CallbackQuarter   `json:"callbacks"`
}

// storedEvaluation is the part of the latest evaluation the page shows.
type storedEvaluation struct {
	ID           int64                       `json:"id"`
	AsOf         time.Time                   `json:"as_of"`
	RulesVersion string                      `json:"rules_version"`
	RulesHash    string                      `json:"rules_hash"`
	Score        float64                     `json:"score"`
	Grade        string                      `json:"grade"`
	ScoreGrade   string                      `json:"score_grade"`
	Components   scoring.Components          `json:"components"`
	Reasons      []string                    `json:"reasons"`
	Sentences    map[string]scoring.Sentence `json:"sentences"`
}

// ProfileEvaluationHistory is how many stored evaluations the disclosure
// page lists (the JSON lists up to 50).
const ProfileEvaluationHistory = 24

// encodeDocument turns a built profile into the stored document.
func encodeDocument(p Profile, seq int64, validUntil *time.Time, now time.Time) (registry.PublicDocument, error) {
	doc := registry.PublicDocument{VendorID: p.ID, USCC: p.Vendor.USCC, Seq: seq, ValidUntil: validUntil, BuiltAt: now.UTC().Truncate(time.Second)}
	var buf bytes.Buffer
	// As echo's Context.JSON writes it: json.Encoder, so a final newline.
	if err := json.NewEncoder(&buf).Encode(p.Vendor); err != nil {
		return doc, fmt.Errorf("publicity: vendor document: %w", err)
	}
	doc.Detail = buf.Bytes()
	item := p.Vendor
	item.History, item.EvaluationHistory = []HistoryEntry{}, nil // list items carry neither
	var err error
	if doc.Item, err = json.Marshal(item); err != nil {
		return doc, fmt.Errorf("publicity: vendor document: %w", err)
	}
	sp := storedProfile{Headline: p.Vendor.Headline, RegisteredAt: p.RegisteredAt, RulesVersion: p.Rules.Version,
		From: p.From, To: p.To, Years: p.Years, Totals: p.Totals, Quarters: p.Quarters, Callbacks: p.Callbacks}
	if se := p.Latest; se != nil {
		sp.Latest = &storedEvaluation{ID: se.ID, AsOf: se.AsOf, RulesVersion: se.RulesVersion, RulesHash: se.RulesHash,
			Score: se.Score, Grade: se.Grade, ScoreGrade: se.ScoreGrade, Components: se.Components, Reasons: se.Reasons, Sentences: se.Sentences}
	}
	if doc.Profile, err = json.Marshal(sp); err != nil {
		return doc, fmt.Errorf("publicity: vendor document: %w", err)
	}
	if doc.Hit, err = json.Marshal(hitOf(p)); err != nil {
		return doc, fmt.Errorf("publicity: vendor document: %w", err)
	}
	doc.ETag = ETagOf(doc.Detail, doc.Profile)
	return doc, nil
}

// hitOf is the vendor as a row of the search page: its headline and the
// three-year figures of its latest evaluation.
func hitOf(p Profile) Hit {
	v := p.Vendor
	h := Hit{ID: p.ID, USCC: v.USCC, Name: v.Name, Status: v.Status, Districts: v.Districts, Categories: v.Categories, Headline: v.Headline}
	if ev := v.Evaluation; ev != nil {
		e := ev.Evidence
		h.CallbacksCounted, h.Satisfied = e.CallbacksCounted, e.CallbacksSatisfied+e.CallbacksBasicallySatisfied
		h.Rated = h.Satisfied + e.CallbacksDissatisfied
		h.ComplaintsReceived, h.ComplaintsMerged, h.ComplaintsCounted = e.ComplaintsReceived, e.ComplaintsMerged, e.ComplaintsCounted
	}
	return h
}

// DecodeVendor reads the vendor of a stored document (parts Detail and
// Profile: the headline is kept with the profile).
func DecodeVendor(doc registry.PublicDocument) (Vendor, error) {
	var v Vendor
	if err := decodeStored(doc.Detail, &v); err != nil {
		return v, fmt.Errorf("publicity: stored document of vendor %d: %w", doc.VendorID, err)
	}
	var sp struct {
		Headline Headline `json:"headline"`
	}
	if err := decodeStored(doc.Profile, &sp); err != nil {
		return v, fmt.Errorf("publicity: stored document of vendor %d: %w", doc.VendorID, err)
	}
	v.Headline = sp.Headline
	return v, nil
}

// DecodeProfile reads the disclosure page of a stored document (parts
// Detail and Profile).
func DecodeProfile(ctx context.Context, db *registry.DB, doc registry.PublicDocument) (Profile, error) {
	p := Profile{ID: doc.VendorID}
	if err := decodeStored(doc.Detail, &p.Vendor); err != nil {
		return p, fmt.Errorf("publicity: stored document of vendor %d: %w", doc.VendorID, err)
	}
	var sp storedProfile
	if err := decodeStored(doc.Profile, &sp); err != nil {
		return p, fmt.Errorf("publicity: stored document of vendor %d: %w", doc.VendorID, err)
	}
	p.Vendor.Headline, p.RegisteredAt = sp.Headline, sp.RegisteredAt
	p.From, p.To, p.Years, p.Totals, p.Quarters, p.Callbacks = sp.From, sp.To, sp.Years, sp.Totals, sp.Quarters, sp.Callbacks
	if se := sp.Latest; se != nil {
		p.Latest = &registry.StoredEvaluation{ID: se.ID, VendorID: doc.VendorID, Evaluation: scoring.Evaluation{AsOf: se.AsOf,
			RulesVersion: se.RulesVersion, RulesHash: se.RulesHash, Score: se.Score, Grade: se.Grade, ScoreGrade: se.ScoreGrade,
			Components: se.Components, Reasons: se.Reasons, Sentences: se.Sentences}}
	}
	var err error
	if sp.RulesVersion != "" {
		p.Rules, err = db.RulesByVersion(ctx, sp.RulesVersion) // parsed once per process
	} else {
		p.Rules, err = db.CurrentRules(ctx)
	}
	return p, err
}

// buildDocuments builds the documents of ids at now as of change seq (read
// before anything else, so every change up to it is in them). Vendors that
// do not exist are returned in gone.
func buildDocuments(ctx context.Context, db *registry.DB, ids []int64, seq int64, now time.Time) (docs []registry.PublicDocument, gone []int64, err error) {
	byID, err := db.FindVendorsByID(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	vs := make([]registry.Vendor, 0, len(ids))
	for _, id := range ids {
		if v, ok := byID[id]; ok {
			vs = append(vs, v)
		} else {
			gone = append(gone, id)
		}
	}
	pvs, err := vendorsOf(ctx, db, vs, now)
	if err != nil {
		return nil, nil, err
	}
	live := make([]int64, len(vs))
	for i, v := range vs {
		live[i] = v.ID
	}
	next, err := db.NextPublicTimeChange(ctx, live, now)
	if err != nil {
		return nil, nil, err
	}
	for i, v := range vs {
		p, err := profileOf(ctx, db, v, pvs[i], now)
		if err != nil {
			return nil, nil, err
		}
		var validUntil *time.Time
		if t, ok := next[v.ID]; ok {
			validUntil = &t
		}
		if p.Latest == nil {
			// Without an evaluation the statistics window ends today.
			midnight := nextMidnight(now)
			if validUntil == nil || midnight.Before(*validUntil) {
				validUntil = &midnight
			}
		}
		doc, err := encodeDocument(p, seq, validUntil, now)
		if err != nil {
			return nil, nil, err
		}
		docs = append(docs, doc)
	}
	return docs, gone, nil
}

// nextMidnight is the next start of a day in Asia/Shanghai after t.
func nextMidnight(t time.Time) time.Time {
	l := t.In(registry.Shanghai)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, registry.Shanghai).UTC()
}

// ErrNoDocument: a vendor has no current stored document and none could be built.
var ErrNoDocument = errors.New("publicity: no public document")

// decodeStored decodes a part of a stored document. Documents are read on
// every public request, so a faster decoder than encoding/json's is used
// (github.com/goccy/go-json, the same behaviour, about 4× faster on a hit);
// the documents are written with encoding/json.
func decodeStored(data []byte, v any) error { return fastjson.Unmarshal(data, v) }
