package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
	"chengxin/views"
)

// previewRows is how many accepted rows a preview lists; rejected rows are
// always listed.
const previewRows = 200

// importFlow is one console upload: the form, a preview that validates every
// row in a rolled-back transaction, and the confirmation that stores the
// valid rows. Associations onboard members with it; regulators load
// hotline records and registrations.
type importFlow struct {
	base       string   // URL of the form; /preview, /confirm and /template/:kind hang below it
	kinds      []string // record types offered
	headingKey string
	explainKey string
	backURL    string
	backKey    string
	run        func(c echo.Context, kind string, r io.Reader, dryRun bool) (registry.ImportReport, error)
}

func (s *Server) memberImportFlow() *importFlow {
	return &importFlow{base: "/console/members/import", kinds: []string{"members"}, headingKey: "import.title",
		explainKey: "import.explain", backURL: "/console/members", backKey: "members.back",
		run: func(c echo.Context, _ string, r io.Reader, dryRun bool) (registry.ImportReport, error) {
			org, err := s.myOrg(c)
			if err != nil {
				return registry.ImportReport{}, err
			}
			return s.db.ImportVendors(c.Request().Context(), r, registry.ImportOptions{Actor: actor(c), OrgID: org.ID,
				LinkExisting: true, DryRun: dryRun, KeepRows: true})
		}}
}

func (s *Server) regulatorImportFlow() *importFlow {
	return &importFlow{base: "/console/imports", kinds: []string{"complaints", "callbacks", "volumes", "sanctions", "vendors", "orgs"},
		headingKey: "imports.title", explainKey: "imports.explain", backURL: "/console/imports", backKey: "imports.again",
		run: func(c echo.Context, kind string, r io.Reader, dryRun bool) (registry.ImportReport, error) {
			opt := registry.ImportOptions{Actor: actor(c), DryRun: dryRun, KeepRows: true}
			ctx := c.Request().Context()
			switch kind {
			case "complaints":
				return s.db.ImportComplaints(ctx, r, opt)
			case "callbacks":
				return s.db.ImportCallbacks(ctx, r, opt)
			case "volumes":
				return s.db.ImportVolumes(ctx, r, opt)
			case "vendors":
				return s.db.ImportVendors(ctx, r, opt)
			case "orgs":
				return s.db.ImportOrgs(ctx, r, opt)
			case "sanctions":
				return s.db.ImportSanctions(ctx, r, opt)
			}
			return registry.ImportReport{}, echo.NewHTTPError(http.StatusBadRequest, "error.bad_request")
		}}
}

func (f *importFlow) view(s *Server, c echo.Context, kind string) views.ImportView {
	v := views.ImportView{Page: s.page(c, tr(c, f.headingKey)), Heading: tr(c, f.headingKey),
		Explain: tr(c, f.explainKey, uploadLimitMB), Action: f.base + "/preview", ConfirmURL: f.base + "/confirm",
		BackURL: f.backURL, BackLabel: tr(c, f.backKey), MaxMB: uploadLimitMB}
	for _, k := range f.kinds {
		v.Templates = append(v.Templates, views.Option{Value: f.base + "/template/" + k, Label: tr(c, "import.template_of", tr(c, "kindname."+k))})
		if len(f.kinds) > 1 {
			v.KindOpts = append(v.KindOpts, views.Option{Value: k, Label: tr(c, "kindname."+k), Selected: k == kind})
		}
	}
	if len(f.kinds) > 1 {
		v.Kind = kind
	}
	return v
}

// kindOf reads the chosen record type, defaulting to the flow's only one.
func (f *importFlow) kindOf(c echo.Context) (string, bool) {
	if len(f.kinds) == 1 {
		return f.kinds[0], true
	}
	k := c.FormValue("kind")
	return k, slices.Contains(f.kinds, k)
}

func (s *Server) handleImportForm(f *importFlow) echo.HandlerFunc {
	return func(c echo.Context) error {
		return s.render(c, http.StatusOK, views.ImportPage(f.view(s, c, c.QueryParam("kind"))))
	}
}

// handleImportTemplate downloads a CSV with the kind's header and one example row.
func (s *Server) handleImportTemplate(f *importFlow) echo.HandlerFunc {
	return func(c echo.Context) error {
		kind := c.Param("kind")
		if !slices.Contains(f.kinds, kind) {
			return echo.ErrNotFound
		}
		var buf bytes.Buffer
		buf.WriteString("\ufeff")
		w := csv.NewWriter(&buf)
		for _, rec := range templateRows(kind, s.now()) {
			w.Write(rec)
		}
		w.Flush()
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+kind+`-template.csv"`)
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	}
}

// templateRows is a kind's header and one plausible example row.
func templateRows(kind string, now time.Time) [][]string {
	code := registry.MustUSCC("91120101MA05XXXX0")
	day := now.In(registry.Shanghai).AddDate(0, 0, -3).Format("2006-01-02")
	switch kind {
	case "members", "vendors":
		return [][]string{registry.VendorCSVHeader(), {code, "天津示例家政服务有限公司", "张三", "022-12345678",
			"天津市和平区示例路1号", "120101;120103", "cleaning;housekeeping", "", "", "", ""}}
	case "orgs":
		return [][]string{registry.OrgCSVHeader(), {registry.MustUSCC("51120101MA05XXXX0"), "天津市示例家政协会", "association", "120101", "022-87654321"}}
	case "complaints":
		return [][]string{registry.RecordCSVHeader(kind), {"8890-" + day + "-0001", code, day + " 09:00", "phone", "cleaning",
			"closed", day + " 09:00", "general", "mediated", day + " 17:00", "", ""}}
	case "callbacks":
		return [][]string{registry.RecordCSVHeader(kind), {"8890-" + day + "-0001", code, day + " 10:00", "satisfied"}}
	case "volumes":
		return [][]string{registry.RecordCSVHeader(kind), {code, now.In(registry.Shanghai).AddDate(0, -1, 0).Format("2006-01"), "120", "dispatch"}}
	case "sanctions":
		return [][]string{registry.SanctionCSVHeader(), {code, "warning", day, "津市监警〔2026〕1号", "未按约定时间提供服务，经查属实", ""}}
	}
	return nil
}

// handleImportPreview validates every row of an uploaded file in a
// rolled-back transaction and shows what confirming would do.
func (s *Server) handleImportPreview(f *importFlow) echo.HandlerFunc {
	return func(c echo.Context) error {
		kind, ok := f.kindOf(c)
		v := f.view(s, c, kind)
		if !ok {
			v.FileError = tr(c, "import.no_kind")
			return s.render(c, http.StatusUnprocessableEntity, views.ImportPage(v))
		}
		fh, err := c.FormFile("file")
		var mbe *http.MaxBytesError
		if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) || errors.As(err, &mbe) || (err == nil && fh.Size > uploadLimitMB<<20) {
			v.FileError = tr(c, "csv.too_large", uploadLimitMB)
			return s.render(c, http.StatusRequestEntityTooLarge, views.ImportPage(v))
		}
		if err != nil {
			v.FileError = tr(c, "import.no_file")
			return s.render(c, http.StatusUnprocessableEntity, views.ImportPage(v))
		}
		file, err := fh.Open()
		if err != nil {
			return err
		}
		defer file.Close()
		content, err := io.ReadAll(io.LimitReader(file, uploadLimitMB<<20+1))
		if err != nil {
			return err
		}
		rep, err := f.run(c, kind, bytes.NewReader(content), true)
		if ferr, ok := registry.AsFileError(err); ok {
			v.FileError = ferr.Text.In(lang(c))
			return s.render(c, http.StatusUnprocessableEntity, views.ImportPage(v))
		}
		if err != nil {
			return err
		}
		v.Filename = fh.Filename
		fillImportRows(c, &v, rep)
		if rep.Created+rep.Updated+rep.Invited > 0 {
			v.StageID, err = s.db.StageImport(c.Request().Context(), session(c).User.ID, kind, fh.Filename, content)
			if err != nil {
				return err
			}
		}
		v.Summary = tr(c, "import.preview_summary", rep.Created, rep.Updated, rep.Invited, rep.Unchanged, rep.Rejected)
		return s.render(c, http.StatusOK, views.ImportPage(v))
	}
}

func fillImportRows(c echo.Context, v *views.ImportView, rep registry.ImportReport) {
	v.Counts = map[string]int{"store": rep.Created + rep.Updated + rep.Invited, "rejected": rep.Rejected}
	shown := 0
	for _, r := range rep.Rows {
		if r.Result != registry.ResultRejected && shown >= previewRows {
			v.Hidden++
			continue
		}
		shown++
		row := views.ImportRow{Line: r.Line, Key: r.Key, Name: r.Name, Result: r.Result, ResultLabel: tr(c, "result."+r.Result)}
		for _, e := range r.Errors {
			row.Errors = append(row.Errors, tr(c, "field."+e.Field)+tr(c, "punct.colon")+e.Text.In(lang(c)))
		}
		v.Rows = append(v.Rows, row)
	}
}

// handleImportConfirm stores the previewed file's valid rows.
func (s *Server) handleImportConfirm(f *importFlow) echo.HandlerFunc {
	return func(c echo.Context) error {
		kind, ok := f.kindOf(c)
		v := f.view(s, c, kind)
		if !ok {
			return echo.NewHTTPError(http.StatusBadRequest, "error.bad_request")
		}
		staged, err := s.db.TakeStagedImport(c.Request().Context(), c.FormValue("stage"), session(c).User.ID, kind)
		if errors.Is(err, registry.ErrNotFound) {
			v.FileError = tr(c, "import.stage_expired")
			return s.render(c, http.StatusNotFound, views.ImportPage(v))
		}
		if err != nil {
			return err
		}
		rep, err := f.run(c, kind, bytes.NewReader(staged.Content), false)
		if ferr, ok := registry.AsFileError(err); ok {
			v.FileError = ferr.Text.In(lang(c))
			return s.render(c, http.StatusUnprocessableEntity, views.ImportPage(v))
		}
		if err != nil {
			return err
		}
		v.Done = true
		v.Summary = tr(c, "import.done_summary", rep.Created, rep.Updated, rep.Invited, rep.Unchanged, rep.Rejected)
		for _, inv := range rep.Invitations {
			v.Invitations = append(v.Invitations, views.InviteLink{USCC: inv.USCC, Name: inv.Name, URL: s.inviteURL(inv.Token)})
		}
		for _, r := range rep.Rows {
			if r.NoLogin {
				v.NoLogin = append(v.NoLogin, r.Name+" "+r.Key)
			}
		}
		return s.render(c, http.StatusOK, views.ImportPage(v))
	}
}
