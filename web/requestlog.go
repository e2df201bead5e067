package web

import (
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"
)

// requestLog gives every request an ID (X-Request-ID, kept from a trusted
// caller when it sends a sane one) and writes one structured log line per
// request: method, route, status, duration, client.
func (s *Server) requestLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if len(id) == 0 || len(id) > 64 {
			id = newToken()[:16]
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		err := next(c)
		status := c.Response().Status
		if he, ok := err.(*echo.HTTPError); ok && !c.Response().Committed {
			status = he.Code
		} else if err != nil && !c.Response().Committed {
			status = 500
		}
		level := slog.LevelDebug
		if status >= 500 {
			level = slog.LevelError
		} else if status >= 400 {
			level = slog.LevelInfo
		}
		s.log.LogAttrs(c.Request().Context(), level, "request", slog.String("id", id), slog.String("method", c.Request().Method),
			slog.String("route", c.Path()), slog.Int("status", status), slog.Duration("took", time.Since(start)), slog.String("ip", c.RealIP()))
		return err
	}
}
