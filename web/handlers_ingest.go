package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
)

// Ingest limits.
const (
	maxIngestBody   = 10 << 20 // 10 MiB
	tokenRatePerSec = 100
	tokenRateBurst  = 200
)

const ctxToken = "api_token"

// requireToken authenticates `Authorization: Bearer TOKEN` with the scope,
// then applies the token's rate limit.
func (s *Server) requireToken(scope string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			scheme, secret, _ := strings.Cut(c.Request().Header.Get("Authorization"), " ")
			if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" { // the scheme is case-insensitive (RFC 7235)
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="chengxin"`)
				return echo.NewHTTPError(http.StatusUnauthorized, "error.unauthorized")
			}
			tok, err := s.db.AuthenticateToken(c.Request().Context(), strings.TrimSpace(secret))
			if errors.Is(err, registry.ErrBadToken) {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="chengxin", error="invalid_token"`)
				return echo.NewHTTPError(http.StatusUnauthorized, "error.unauthorized")
			}
			if err != nil {
				return err
			}
			if tok.Scope != scope {
				return echo.NewHTTPError(http.StatusForbidden, "error.forbidden")
			}
			d, err := s.db.TakeToken(c.Request().Context(), tok.ID, registry.TokenRate{PerSecond: tokenRatePerSec, Burst: tokenRateBurst})
			if err != nil {
				return err
			}
			if d > 0 {
				c.Response().Header().Set("Retry-After", strconv.Itoa(int(d/time.Second)+1))
				return echo.NewHTTPError(http.StatusTooManyRequests, "error.rate_limited")
			}
			c.Set(ctxToken, tok)
			return next(c)
		}
	}
}

// readRecords checks the content type and size and splits the body.
func readRecords(c echo.Context) ([]json.RawMessage, error) {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || (mt != "application/json" && mt != "application/x-ndjson") {
		return nil, echo.NewHTTPError(http.StatusUnsupportedMediaType, "error.media_type")
	}
	if c.Request().ContentLength > maxIngestBody {
		return nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge, "error.ingest_too_large")
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, maxIngestBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge, "error.ingest_too_large")
	}
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "error.bad_request").SetInternal(err)
	}
	raws, err := splitRecords(body, mt == "application/x-ndjson")
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "error.not_json")
	}
	if len(raws) > registry.MaxIngestRecords {
		return nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge, "error.ingest_too_many")
	}
	return raws, nil
}

func tokenActor(c echo.Context) registry.Actor {
	tok, _ := c.Get(ctxToken).(registry.APIToken)
	return registry.TokenActor(tok)
}

// ingestHandler is the shape of the three record endpoints.
func ingestHandler[T any](s *Server, keyOf func(map[string]any) string,
	store func(context.Context, registry.Actor, []T, []*registry.DecodeError) (registry.IngestSummary, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		raws, err := readRecords(c)
		if err != nil {
			return err
		}
		recs, decodeErrs := decodeRecords[T](raws, keyOf)
		sum, err := store(c.Request().Context(), tokenActor(c), recs, decodeErrs)
		if err != nil {
			return err
		}
		s.metrics.observeIngest(c.Path(), sum)
		return c.JSON(http.StatusOK, sum)
	}
}
