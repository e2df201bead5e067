package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"chengxin/publicity"
	"chengxin/registry"
)

// handleAPIVendorShow returns one vendor's public record; unknown and
// malformed codes are a JSON 404.
func (s *Server) handleAPIVendorShow(c echo.Context) error {
	code := registry.NormalizeUSCC(c.Param("uscc"))
	if len(code) != registry.USCCLength {
		return registry.ErrNotFound
	}
	v, err := publicity.FindVendor(c.Request().Context(), s.db, code)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Access-Control-Allow-Origin", "*")
	return c.JSON(http.StatusOK, v)
}
