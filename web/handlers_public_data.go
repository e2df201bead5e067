package web

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"syscall"

	"github.com/labstack/echo/v4"
	qrcode "github.com/yeqown/go-qrcode/v2"

	"chengxin/publicity"
	"chengxin/views"
)

// vendorPage is the JSON of GET /api/v1/vendors.
type vendorPage struct {
	Items   []json.RawMessage `json:"items"` // publicity.Vendor, as stored
	Page    int               `json:"page"`
	PerPage int               `json:"per_page"`
	Total   int               `json:"total"`
	// Interpreted says how q was read when it named a service category,
	// which was then applied as the category filter (omitted otherwise).
	Interpreted *queryReading `json:"interpreted,omitempty"`
}

// queryReading is a query read as a category and the words left for names.
type queryReading struct {
	Q        string `json:"q"`
	Category string `json:"category"`
	Words    string `json:"words"`
}

// handleAPIVendors is the open-data search: the page's parameters plus
// per_page; invalid parameters are a 400 naming each, a page past the end
// is 200 with no items.
func (ps *publicSite) handleAPIVendors(c echo.Context) error {
	q := publicity.SearchQuery{Q: c.QueryParam("q"), Category: c.QueryParam("category"), District: c.QueryParam("district"),
		Grade: strings.ToUpper(c.QueryParam("grade")), Sort: c.QueryParam("sort"), Page: 1, PerPage: publicity.DefaultPerPage}
	fields := map[string]string{}
	for name, dst := range map[string]*int{"page": &q.Page, "per_page": &q.PerPage} {
		if s := c.QueryParam(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				n = -1
			}
			*dst = n
		}
	}
	in := interpretQuery(&q)
	for f, key := range q.Problems() {
		fields[f] = tr(c, key)
	}
	c.Response().Header().Set("Access-Control-Allow-Origin", "*")
	c.Response().Header().Set("Access-Control-Expose-Headers", "ETag, Last-Modified")
	if len(fields) > 0 {
		var body apiError
		body.Error.Code, body.Error.Message, body.Error.Fields = "bad_request", tr(c, "pub.api.bad_params"), fields
		return c.JSON(http.StatusBadRequest, body)
	}
	res, err := ps.catalog.SearchIDs(c.Request().Context(), q)
	if err != nil {
		return err
	}
	items, err := ps.docs.Items(c.Request().Context(), res.IDs, ps.s.now())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	page := vendorPage{Items: make([]json.RawMessage, len(items)), Page: q.Page, PerPage: q.PerPage, Total: res.Total}
	for i, item := range items {
		page.Items[i] = item
	}
	if in.Category != "" {
		page.Interpreted = &queryReading{Q: in.Q, Category: in.Category, Words: in.Words}
	}
	_, pretty := c.QueryParams()["pretty"]
	body, err := page.encode(pretty)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body)
}

// encode is the page's JSON, byte for byte what encoding/json's Encoder
// writes for it (indented by two spaces when pretty), without passing the
// stored items through it: they were written by json.Marshal when their
// documents were built, so checking and compacting them again (most of a
// JSON search's time) would change nothing.
func (p vendorPage) encode(pretty bool) ([]byte, error) {
	size := 96
	for _, item := range p.Items {
		size += len(item) + 1
	}
	buf := make([]byte, 0, size)
	buf = append(buf, `{"items":`...)
	if p.Items == nil {
		buf = append(buf, "null"...)
	} else {
		buf = append(buf, '[')
		for i, item := range p.Items {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, item...)
		}
		buf = append(buf, ']')
	}
	buf = append(buf, `,"page":`...)
	buf = strconv.AppendInt(buf, int64(p.Page), 10)
	buf = append(buf, `,"per_page":`...)
	buf = strconv.AppendInt(buf, int64(p.PerPage), 10)
	buf = append(buf, `,"total":`...)
	buf = strconv.AppendInt(buf, int64(p.Total), 10)
	if p.Interpreted != nil {
		reading, err := json.Marshal(p.Interpreted)
		if err != nil {
			return nil, err
		}
		buf = append(append(buf, `,"interpreted":`...), reading...)
	}
	buf = append(buf, '}')
	if pretty {
		var out bytes.Buffer
		if err := json.Indent(&out, buf, "", "  "); err != nil {
			return nil, err
		}
		buf = out.Bytes()
	}
	return append(buf, '\n'), nil
}

// csvFormat names the open-data file's layout in its ETag.
const csvFormat = "v1"

// handleCSV streams every registered vendor as CSV (UTF-8 with a BOM so
// spreadsheet programs read the Chinese correctly), row by row.
func (ps *publicSite) handleCSV(c echo.Context) error {
	if err := ps.sync(c); err != nil {
		return err
	}
	version, err := ps.versionNow(c)
	if err != nil {
		return err
	}
	etag := fmt.Sprintf(`"vendors-%s-%d"`, csvFormat, version)
	modified := ps.changedAt()
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "ETag, Last-Modified")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", etag)
	h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	if pubNotModified(c.Request(), etag, modified) {
		return c.NoContent(http.StatusNotModified)
	}
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="chengxin-vendors.csv"`)
	res := c.Response()
	res.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(res, 32<<10)
	bw.WriteString("\ufeff")
	err = publicity.WriteVendorsCSV(c.Request().Context(), ps.s.db, bw, ps.s.now(), func() {
		bw.Flush()
		res.Flush()
	})
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	switch {
	case err == nil:
	case clientGone(c) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET):
		// The client left mid-file: logged and counted as a client close.
		res.Status = StatusClientClosed
	default:
		// The status is sent: the client sees a truncated file; log it.
		ps.s.log.Error("open data stream", "err", err)
	}
	return nil
}

// badgeInfo is what a badge, QR code and sticker show about a vendor.
func (ps *publicSite) badgeInfo(c echo.Context) (publicity.Vendor, bool, error) {
	code := pubCode(c)
	if code == "" {
		return publicity.Vendor{}, false, nil
	}
	doc, ok := vendorDocument(c)
	if !ok {
		return publicity.Vendor{}, false, nil
	}
	v, err := publicity.DecodeVendor(doc)
	return v, err == nil, err
}

// handleBadge is an embeddable SVG badge: grade, name and date.
func (ps *publicSite) handleBadge(c echo.Context) error {
	v, ok, err := ps.badgeInfo(c)
	if err != nil {
		return err
	}
	if !ok {
		return ps.notFound(c)
	}
	grade, gradeText, line2 := badgeText(c, v.Headline)
	title := v.Name + " · " + gradeText + " · " + line2
	// Badges are embedded in other sites under a fixed address and change
	// with every publication and override: caches must revalidate each use
	// (a 304 against the ETag when nothing changed), never show an old grade.
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, "image/svg+xml; charset=utf-8", []byte(views.BadgeSVG(grade, gradeText, v.Name, line2, title)))
}

// handleQR is the QR code (SVG) of the vendor's absolute profile address.
func (ps *publicSite) handleQR(c echo.Context) error {
	_, ok, err := ps.badgeInfo(c)
	if err != nil {
		return err
	}
	if !ok {
		return ps.notFound(c)
	}
	svg, err := qrSVG(ps.s.profileURL(pubCode(c)), 240)
	if err != nil {
		return err
	}
	// The code encodes only the profile's address, which is fixed for the
	// URL (host and vendor code): nothing a publication or override changes.
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, "image/svg+xml; charset=utf-8", []byte(svg))
}

// qrSVG encodes text as a QR code (error correction M) drawn as SVG.
func qrSVG(text string, size int) (string, error) {
	q, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return "", fmt.Errorf("web: qr code: %w", err)
	}
	m := &qrMatrix{}
	if err := q.Save(m); err != nil {
		return "", err
	}
	return views.QRCodeSVG(m.bits, size), nil
}

// qrMatrix is a go-qrcode Writer that keeps the module matrix.
type qrMatrix struct{ bits [][]bool }

func (m *qrMatrix) Write(mat qrcode.Matrix) error { m.bits = mat.Bitmap(); return nil }
func (m *qrMatrix) Close() error                  { return nil }

// handleSticker is a printable A6 sticker for a shop window.
func (ps *publicSite) handleSticker(c echo.Context) error {
	v, ok, err := ps.badgeInfo(c)
	if err != nil {
		return err
	}
	if !ok {
		return ps.notFound(c)
	}
	sv := views.PubStickerView{Page: ps.page(c, tr(c, "pub.sticker.title", v.Name), tr(c, "pub.sticker.description", v.Name)),
		Name: v.Name, USCC: v.USCC, QRURL: "/vendors/" + v.USCC + "/qr.svg", ProfileURL: ps.s.profileURL(v.USCC)}
	sv.PrintedOn = dateText(ps.s.now())
	stickerGrade(c, &sv, v.Headline)
	return ps.render(c, http.StatusOK, views.PublicStickerPage(sv))
}
