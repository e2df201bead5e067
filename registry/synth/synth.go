// Package synth generates a deterministic synthetic Tianjin: organisations,
// vendors with plausible three-year histories of complaints, callbacks and
// monthly volumes, written through the registry's bulk path. The demo, the
// `gen` command and benchmarks use it. All names are fictional.
package synth

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"chengxin/registry"
)

// Options size the city.
type Options struct {
	Vendors int
	// Events is the total number of hotline records (complaints, callbacks
	// and volume rows) to generate across all vendors.
	Events int
	Seed   uint64
	// Now is the city's present; records lie in the three years before it.
	// Zero means the start of today (Day), so the same seed gives the same
	// city all day long.
	Now time.Time
	// Progress, when set, is called now and then with rows written so far.
	Progress func(rows int)
}

// Stats counts what was generated.
type Stats struct {
	Orgs, Vendors, Complaints, Callbacks, Volumes int
	// FirstVendor and FirstAssociation are codes for demo logins.
	FirstVendor, FirstAssociation string
	// Profiles counts vendors per quality profile.
	Profiles map[string]int
}

// Records is the number of hotline records generated.
func (s Stats) Records() int { return s.Complaints + s.Callbacks + s.Volumes }

// Generate writes a synthetic city into db, which must hold no vendors yet
// (codes are generated, so they could collide with registered ones).
func Generate(ctx context.Context, db *registry.DB, actor registry.Actor, opt Options) (Stats, error) {
	st := Stats{Profiles: map[string]int{}}
	if n, err := db.CountVendors(ctx); err != nil || n > 0 {
		return st, fmt.Errorf("synth: the database already has %d vendors; generate into an empty one (%v)", n, err)
	}
	if opt.Vendors < 1 {
		return st, fmt.Errorf("synth: at least one vendor")
	}
	if opt.Now.IsZero() {
		opt.Now = Day(db.Now())
	}
	b, err := db.NewBulkLoader(ctx, actor)
	if err != nil {
		return st, err
	}
	defer b.Abort()
	g := &generator{opt: opt, b: b, used: map[string]bool{}, stats: &st,
		perVendor: float64(opt.Events) / float64(opt.Vendors)}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5eed))
	districts := registry.Districts()
	var orgIDs []int64
	for i, spec := range orgSpecs {
		d := districts[i%len(districts)].Code
		code := g.uscc(rng, "51", d)
		id, err := b.Org(registry.Org{USCC: code, Name: spec.Name, Kind: spec.Kind, District: d, ContactPhone: fmt.Sprintf("022-2%07d", 1000+i)})
		if err != nil {
			return st, err
		}
		orgIDs = append(orgIDs, id)
		st.Orgs++
		if st.FirstAssociation == "" && spec.Kind == "association" {
			st.FirstAssociation = code
		}
	}
	for i := 0; i < opt.Vendors; i++ {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		// Each vendor draws from its own random stream.
		vr := rand.New(rand.NewPCG(opt.Seed, uint64(i)+1))
		if err := g.vendor(vr, i, orgIDs); err != nil {
			return st, err
		}
		if opt.Progress != nil && i%1000 == 999 {
			opt.Progress(b.Rows())
		}
	}
	if opt.Progress != nil {
		opt.Progress(b.Rows())
	}
	return st, b.Close(fmt.Sprintf("synth:seed=%d,vendors=%d,events=%d", opt.Seed, opt.Vendors, opt.Events))
}

// Day is the start of t's calendar day in Asia/Shanghai. Every instant the
// generator derives (registration dates, record times, licence expiries)
// is an offset from its Now, so anchoring Now to a day, not to the clock,
// is what makes two runs on one day byte-identical.
func Day(t time.Time) time.Time {
	l := t.In(registry.Shanghai)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, registry.Shanghai)
}

type generator struct {
	opt       Options
	b         *registry.BulkLoader
	used      map[string]bool
	stats     *Stats
	perVendor float64
}

// uscc makes a unique valid code: registration type, Tianjin district, "MA0" and six random characters.
func (g *generator) uscc(rng *rand.Rand, typ, district string) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	for {
		var sb strings.Builder
		sb.WriteString(typ + district + "MA0")
		for i := 0; i < 6; i++ {
			sb.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		code := registry.MustUSCC(sb.String())
		if !g.used[code] {
			g.used[code] = true
			return code
		}
	}
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func (g *generator) vendor(rng *rand.Rand, i int, orgIDs []int64) error {
	now := g.opt.Now
	districts, cats := registry.Districts(), registry.Categories()
	home := pick(rng, districts)
	main := pick(rng, cats).Code
	catSet := []string{main}
	if rng.IntN(3) == 0 {
		if extra := pick(rng, cats).Code; extra != main {
			catSet = append(catSet, extra)
		}
	}
	distSet := []string{home.Code}
	for rng.IntN(4) == 0 && len(distSet) < 4 {
		if d := pick(rng, districts).Code; !slices.Contains(distSet, d) {
			distSet = append(distSet, d)
		}
	}
	prof := profileFor(rng, i, g.opt.Vendors)
	g.stats.Profiles[prof.name]++
	ageDays := 30 + rng.IntN(8*365)
	if prof.name == "new" {
		ageDays = 10 + rng.IntN(70)
	}
	registered := now.AddDate(0, 0, -ageDays).Truncate(time.Hour)
	v := registry.Vendor{
		USCC:         g.uscc(rng, "91", home.Code),
		Name:         fmt.Sprintf("天津%s%s%s有限公司", shortDistrict(home.NameZH), pick(rng, words)+pick(rng, words), trades[main]),
		LegalRep:     pick(rng, surnames) + pick(rng, given),
		Phone:        fmt.Sprintf("022-%08d", rng.IntN(1e8)),
		Address:      fmt.Sprintf("天津市%s%s%d号", home.NameZH, pick(rng, streets), 1+rng.IntN(300)),
		Districts:    distSet,
		Categories:   catSet,
		LicenceNo:    fmt.Sprintf("JZ%06d", rng.IntN(1e6)),
		RegisteredAt: registered,
		Status:       registry.VendorActive,
	}
	if rng.IntN(5) > 0 {
		t := now.AddDate(1+rng.IntN(5), rng.IntN(12), 0)
		v.LicenceValidUntil = &t
	}
	if rng.IntN(10) < prof.insuredOutOf10 {
		t := now.AddDate(0, 1+rng.IntN(18), 0)
		v.InsuranceValidUntil = &t
	}
	id, err := g.b.Vendor(v)
	if err != nil {
		return err
	}
	g.stats.Vendors++
	if g.stats.FirstVendor == "" {
		g.stats.FirstVendor = v.USCC
	}
	if rng.IntN(10) < 6 {
		since := registered.AddDate(0, 0, rng.IntN(max(1, ageDays/2)))
		if err := g.b.Membership(pick(rng, orgIDs), id, since); err != nil {
			return err
		}
	}
	if err := g.history(rng, i, id, v, prof); err != nil {
		return err
	}
	return g.b.Mark(id)
}

func shortDistrict(name string) string {
	return strings.TrimSuffix(strings.TrimSuffix(name, "区"), "新")
}
