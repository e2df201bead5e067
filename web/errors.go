package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
	"chengxin/views"
)

// apiError is the JSON error body of /api routes.
type apiError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields,omitempty"`
	} `json:"error"`
}

// handleError maps every error to a status and a page or JSON body; users
// never see internals, which are logged instead.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if clientGone(c) {
		// Nobody is listening: record the status, send nothing more.
		if !errors.Is(err, context.Canceled) {
			s.log.Warn("request failed after its client left", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		}
		c.Response().WriteHeader(StatusClientClosed)
		return
	}
	status, code, msgKey := http.StatusInternalServerError, "internal", "error.internal"
	var he *echo.HTTPError
	var fields map[string]string
	switch {
	case errors.As(err, &he):
		status = he.Code
		code, msgKey = statusCode(status)
		if err == errCSRF {
			code, msgKey = "csrf", "error.csrf"
		}
		if m, ok := he.Message.(string); ok && strings.HasPrefix(m, "error.") {
			msgKey = m
		}
	case errors.Is(err, registry.ErrNotFound):
		status, code, msgKey = http.StatusNotFound, "not_found", "error.not_found"
	case errors.Is(err, registry.ErrForbidden):
		status, code, msgKey = http.StatusForbidden, "forbidden", "error.forbidden"
	case errors.Is(err, registry.ErrConflict):
		status, code, msgKey = http.StatusConflict, "conflict", "error.conflict"
	case errors.Is(err, registry.ErrNotText):
		status, code, msgKey = http.StatusBadRequest, "bad_request", "error.not_text"
	case tooLarge(err):
		status, code, msgKey = http.StatusRequestEntityTooLarge, "too_large", "error.too_large"
	default:
		if v, ok := registry.AsValidation(err); ok {
			status, code, msgKey = http.StatusBadRequest, "invalid", "error.invalid"
			fields = v.Messages(lang(c))
		}
	}
	if status >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if c.Request().Method == http.MethodHead {
		c.NoContent(status)
		return
	}
	if strings.HasPrefix(c.Request().URL.Path, "/api/") {
		var body apiError
		body.Error.Code, body.Error.Message, body.Error.Fields = code, tr(c, msgKey), fields
		c.JSON(status, body)
		return
	}
	p := s.page(c, tr(c, "error.title."+titleKey(status)))
	if err := s.render(c, status, views.ErrorPage(p, status, tr(c, msgKey))); err != nil {
		s.log.Error("render error page", "err", err)
	}
}

func statusCode(status int) (code, msgKey string) {
	switch status {
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return "not_found", "error.not_found"
	case http.StatusForbidden:
		return "forbidden", "error.forbidden"
	case http.StatusUnauthorized:
		return "unauthorized", "error.unauthorized"
	case http.StatusRequestEntityTooLarge:
		return "too_large", "error.too_large"
	case http.StatusTooManyRequests:
		return "rate_limited", "error.rate_limited"
	case http.StatusBadRequest:
		return "bad_request", "error.bad_request"
	case http.StatusConflict:
		return "conflict", "error.conflict"
	case http.StatusServiceUnavailable:
		return "unavailable", "error.unavailable"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type", "error.media_type"
	}
	if status >= 500 {
		return "internal", "error.internal"
	}
	return "bad_request", "error.bad_request"
}

func titleKey(status int) string {
	switch status {
	case 404, 405:
		return "404"
	case 403:
		return "403"
	case 413:
		return "413"
	case 409:
		return "409"
	case 429:
		return "429"
	case 503:
		return "503"
	}
	if status >= 500 {
		return "500"
	}
	return "400"
}

// clientGone reports whether the client went away before the answer (the
// request's context is cancelled while the handler still runs): such a
// request is logged and counted as 499, never as a server error.
func clientGone(c echo.Context) bool {
	return errors.Is(c.Request().Context().Err(), context.Canceled)
}

// tooLarge matches a body over its route's limit, however it surfaced.
func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.Is(err, echo.ErrStatusRequestEntityTooLarge) || errors.As(err, &mbe)
}
