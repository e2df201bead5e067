package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
	"chengxin/views"
)

// Signed checkpoints of the audit chain (docs/CONTRACT.md "Audit log"): open
// data, so anyone can keep them and check the history later.

// handleCheckpointKey serves the public half of the signing key.
func (s *Server) handleCheckpointKey(c echo.Context) error {
	info, err := s.db.CheckpointKey()
	if err != nil {
		return err
	}
	c.Response().Header().Set("Access-Control-Allow-Origin", "*")
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, info)
}

// handleCheckpointLatest serves the newest checkpoint; 404 before the first.
func (s *Server) handleCheckpointLatest(c echo.Context) error {
	cp, err := s.db.LatestCheckpoint(c.Request().Context())
	if errors.Is(err, registry.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "error.no_checkpoint")
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Access-Control-Allow-Origin", "*")
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, cp)
}

// handleCheckpoints lists checkpoints newest first, 100 a page: those of
// entries before ?before=ID (all from the newest without it). A full page
// names the next one in a Link header.
func (s *Server) handleCheckpoints(c echo.Context) error {
	c.Response().Header().Set("Access-Control-Allow-Origin", "*")
	c.Response().Header().Set("Access-Control-Expose-Headers", "Link")
	var before int64
	if v := c.QueryParam("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			var body apiError
			body.Error.Code, body.Error.Message = "bad_request", tr(c, "pub.api.bad_params")
			body.Error.Fields = map[string]string{"before": tr(c, "checkpoints.bad_before")}
			return c.JSON(http.StatusBadRequest, body)
		}
		before = n
	}
	cps, err := s.db.FindCheckpoints(c.Request().Context(), before, registry.CheckpointPageSize)
	if err != nil {
		return err
	}
	if len(cps) == registry.CheckpointPageSize {
		next := "/api/v1/checkpoints?before=" + strconv.FormatInt(cps[len(cps)-1].ID, 10)
		c.Response().Header().Set("Link", "<"+next+">; rel=\"next\"")
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, cps)
}

// handleTransparency explains, in plain words, how to keep checkpoints and
// check them later, with the current key and the latest checkpoint.
func (ps *publicSite) handleTransparency(c echo.Context) error {
	v := views.PubTransparencyView{Page: ps.page(c, tr(c, "pub.transp.title"), tr(c, "pub.transp.description")),
		Origin: ps.s.publicBase()} // -base-url, else the listen address; never the Host header
	info, err := ps.s.db.CheckpointKey()
	if err != nil {
		return err
	}
	v.KeyID, v.PublicKey = info.KeyID, info.PublicKey
	cp, err := ps.s.db.LatestCheckpoint(c.Request().Context())
	switch {
	case err == nil:
		v.Latest = &views.PubCheckpoint{ID: strconv.FormatInt(cp.ID, 10), Hash: cp.Hash, At: dateTimeText(cp.At)}
	case !errors.Is(err, registry.ErrNotFound):
		return err
	}
	return ps.render(c, http.StatusOK, views.PublicTransparencyPage(v))
}
