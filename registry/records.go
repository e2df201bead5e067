package registry

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"chengxin/i18n"
)

// Enumerations of the hotline's records (docs/CONTRACT.md "Ingest API").
var (
	Channels          = []string{"phone", "wechat", "weibo", "qq", "app", "web"}
	Severities        = []string{"general", "serious", "major"}
	ComplaintStatuses = []string{"open", "closed"}
	Outcomes          = []string{"substantiated", "partially_substantiated", "mediated", "unsubstantiated", "withdrawn", "not_vendor_responsibility"}
	CallbackResults   = []string{"satisfied", "basically_satisfied", "dissatisfied", "unreachable"}
	VolumeSources     = []string{"dispatch", "vendor_report"}
)

// Limits of record fields.
const (
	MaxSummaryLen = 2000      // characters
	MaxOrders     = 1_000_000 // orders per vendor per month and source
)

// ComplaintInput is a complaint work order as the hotline sends it (JSON or CSV).
type ComplaintInput struct {
	WorkOrderNo    string `json:"work_order_no"`
	VendorUSCC     string `json:"vendor_uscc"`
	ReceivedAt     string `json:"received_at"`
	Channel        string `json:"channel"`
	Category       string `json:"category"`
	Severity       string `json:"severity"`
	Status         string `json:"status"`
	Outcome        string `json:"outcome"`
	DeadlineAt     string `json:"deadline_at"`
	ClosedAt       string `json:"closed_at"`
	ServiceOrderNo string `json:"service_order_no"`
	Summary        string `json:"summary"`
}

// CallbackInput is a post-service callback result.
type CallbackInput struct {
	WorkOrderNo string `json:"work_order_no"`
	VendorUSCC  string `json:"vendor_uscc"`
	CalledAt    string `json:"called_at"`
	Result      string `json:"result"`
}

// VolumeInput is one month's service volume of a vendor from one source.
type VolumeInput struct {
	VendorUSCC string `json:"vendor_uscc"`
	Month      string `json:"month"`
	Orders     *int64 `json:"orders"` // required; a pointer so absence is not read as 0
	Source     string `json:"source"`
}

// Complaint is a stored complaint.
type Complaint struct {
	WorkOrderNo    string
	VendorID       int64
	ReceivedAt     time.Time
	Channel        string
	Category       string
	Severity       string
	Status         string
	Outcome        string
	DeadlineAt     time.Time
	ClosedAt       *time.Time
	ServiceOrderNo string
	Summary        string // masked; private
	LateExcused    bool
}

// Callback is a stored callback.
type Callback struct {
	WorkOrderNo string
	VendorID    int64
	CalledAt    time.Time
	Result      string
}

// Volume is a stored monthly volume.
type Volume struct {
	VendorID int64
	Month    string
	Source   string
	Orders   int64
}

// timeParser reads record times: the API demands RFC 3339 with an offset;
// CSV files also take the local forms of ParseInstant.
type timeParser struct {
	strict bool
	now    time.Time
}

func (p timeParser) parse(verr *ValidationError, field, s string, required, past bool) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			verr.Add(field, i18n.T("field.required"))
		}
		return nil
	}
	var t time.Time
	var err error
	if p.strict {
		t, err = time.Parse(time.RFC3339, s)
		if err != nil {
			verr.Add(field, i18n.T("field.rfc3339"))
			return nil
		}
	} else if t, _, err = ParseInstant(s); err != nil {
		verr.Add(field, i18n.T("field.time"))
		return nil
	}
	if past && t.After(p.now.Add(FutureSkew)) {
		verr.Add(field, i18n.T("field.future"))
		return nil
	}
	t = t.UTC().Truncate(time.Second)
	return &t
}

func checkEnum(verr *ValidationError, field, value string, allowed []string, required bool) {
	switch {
	case value == "" && required:
		verr.Add(field, i18n.T("field.required"))
	case value != "" && !slices.Contains(allowed, value):
		verr.Add(field, i18n.T("field.oneof", strings.Join(allowed, ", ")))
	}
}

func checkKey(verr *ValidationError, field, value string) {
	switch {
	case value == "":
		verr.Add(field, i18n.T("field.required"))
	case len([]rune(value)) > MaxShortTextLen:
		verr.Add(field, i18n.T("field.too_long", MaxShortTextLen))
	case !isPrintable(value):
		verr.Add(field, i18n.T("field.printable"))
	}
}

// vendorResolver finds vendor ids by USCC, caching answers for one batch.
type vendorResolver struct {
	db    *DB
	q     querier
	cache map[string]int64
}

func newVendorResolver(db *DB, q querier) *vendorResolver {
	return &vendorResolver{db: db, q: q, cache: map[string]int64{}}
}

// resolve checks the code's form and that the vendor is registered.
func (r *vendorResolver) resolve(ctx context.Context, verr *ValidationError, raw string) (int64, string) {
	code := NormalizeUSCC(raw)
	if code == "" {
		verr.Add("vendor_uscc", i18n.T("field.required"))
		return 0, code
	}
	if id, ok := r.cache[code]; ok {
		if id == 0 {
			verr.Add("vendor_uscc", i18n.T("record.unknown_vendor"))
		}
		return id, code
	}
	var id int64
	err := r.q.QueryRowContext(ctx, `SELECT id FROM vendors WHERE uscc = ?`, code).Scan(&id)
	if err != nil {
		if ue := (*USCCError)(nil); errors.As(CheckUSCC(code), &ue) && ue.Code != "check" {
			verr.Add("vendor_uscc", ue.Text)
			return 0, code
		}
		verr.Add("vendor_uscc", i18n.T("record.unknown_vendor"))
	}
	r.cache[code] = id
	return id, code
}
