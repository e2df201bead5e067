package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"regexp"
	"time"

	"github.com/labstack/echo/v4"
)

// StatusClientClosed is the status logged and counted for a request whose
// client went away before it was answered (nginx's 499); nothing is sent.
const StatusClientClosed = 499

// requestIDPattern is what an X-Request-ID from a trusted proxy must look
// like to be kept: 1–64 characters of a conservative alphabet, so ids cannot
// smuggle line breaks, quotes or megabytes into the logs.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:+/=-]{1,64}$`)

// observe is the outermost middleware: it gives the request its id, turns a
// returned error into the response (through handleError) before anything is
// recorded, so that the log line and the metrics carry the status the client
// actually got — a 404 is a 404 everywhere, never an error-level 500 —, then
// writes one log line and counts the request by route, method and status.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		req := c.Request()
		id := s.requestID(c)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		if err := next(c); err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		if errors.Is(req.Context().Err(), context.Canceled) {
			status = StatusClientClosed
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		took := time.Since(start)
		s.metrics.observe(route, req.Method, status, took)
		level := slog.LevelDebug
		switch {
		case status >= 500:
			level = slog.LevelError
		case status == StatusClientClosed || status == 401 || status == 403 || status == 429:
			level = slog.LevelWarn
		case status >= 400:
			level = slog.LevelInfo
		}
		s.log.LogAttrs(req.Context(), level, "request", slog.String("id", id), slog.String("method", req.Method),
			slog.String("route", route), slog.Int("status", status), slog.Duration("took", took), slog.String("ip", c.RealIP()))
		return nil
	}
}

// requestID keeps the caller's X-Request-ID only when the TCP peer is one of
// the configured trusted proxies and the id is sane; anyone else gets a
// fresh id, so log lines cannot be attributed to a forged request.
func (s *Server) requestID(c echo.Context) string {
	if id := c.Request().Header.Get(echo.HeaderXRequestID); id != "" && s.peerTrusted(c.Request().RemoteAddr) && requestIDPattern.MatchString(id) {
		return id
	}
	return newToken()[:16]
}

// peerTrusted reports whether the TCP peer lies in -trusted-proxies.
func (s *Server) peerTrusted(remoteAddr string) bool {
	if len(s.cfg.TrustedProxies) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	for _, n := range s.cfg.TrustedProxies {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}
