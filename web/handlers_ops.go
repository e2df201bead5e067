package web

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"chengxin/views"
)

func (s *Server) handleHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz answers 200 only when the database answers.
func (s *Server) handleReadyz(c echo.Context) error {
	if err := s.db.Ping(c.Request().Context()); err != nil {
		s.log.Warn("not ready", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

// handleStatic serves the embedded assets; versioned URLs are cached for a
// year, but only when the version is the content hash of what is served: a
// page of another release (another server behind the same proxy) asking for
// its own version must not pin these bytes under that address for a year.
func (s *Server) handleStatic(c echo.Context) error {
	name := strings.TrimPrefix(c.Param("*"), "/")
	b, err := fs.ReadFile(views.Static, name)
	if err != nil || name == "" {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	switch v := c.QueryParam("v"); {
	case v != "" && v == views.StaticVersion(name):
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	case v != "":
		h.Set("Cache-Control", "no-cache")
	default:
		h.Set("Cache-Control", "public, max-age=3600")
	}
	ctype := "application/octet-stream"
	switch {
	case strings.HasSuffix(name, ".css"):
		ctype = "text/css; charset=utf-8"
	case strings.HasSuffix(name, ".svg"):
		ctype = "image/svg+xml"
	case strings.HasSuffix(name, ".png"):
		ctype = "image/png"
	case strings.HasSuffix(name, ".js"):
		ctype = "text/javascript; charset=utf-8"
	}
	return c.Blob(http.StatusOK, ctype, b)
}
