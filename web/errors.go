package web

import (
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
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type", "error.media_type"
	}
	if status >= 500 {
		return "internal", "error.internal"
	}
	return "error", "error.bad_request"
}

func titleKey(status int) string {
	switch status {
	case 404, 405:
		return "404"
	case 403:
		return "403"
	case 413:
		return "413"
	case 429:
		return "429"
	}
	if status >= 500 {
		return "500"
	}
	return "400"
}
