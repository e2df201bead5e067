package web

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
)

// handleAPIVendorShow returns one vendor's public record: its stored
// document's bytes (with ?pretty, indented), with the document's ETag so a
// client that has it gets 304; unknown and malformed codes are a JSON 404.
func (ps *publicSite) handleAPIVendorShow(c echo.Context) error {
	code := registry.NormalizeUSCC(c.Param("uscc"))
	if len(code) != registry.USCCLength {
		return registry.ErrNotFound
	}
	doc, err := ps.docs.ByUSCC(c.Request().Context(), code, registry.PartDetail, ps.s.now())
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "ETag, Last-Modified")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", doc.ETag)
	h.Set("Last-Modified", doc.BuiltAt.UTC().Format(http.TimeFormat))
	if pubNotModified(c.Request(), doc.ETag, doc.BuiltAt) {
		return c.NoContent(http.StatusNotModified)
	}
	body := doc.Detail
	if _, pretty := c.QueryParams()["pretty"]; pretty {
		var buf bytes.Buffer
		if err := json.Indent(&buf, body, "", "  "); err != nil {
			return err
		}
		body = buf.Bytes()
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body)
}
