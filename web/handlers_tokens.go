package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
	"chengxin/views"
)

func (s *Server) tokensView(c echo.Context) (views.TokensView, error) {
	toks, err := s.db.FindTokens(c.Request().Context())
	if err != nil {
		return views.TokensView{}, err
	}
	v := views.TokensView{Page: s.page(c, tr(c, "tokens.title")), Labels: labels(c, "name:tokens.name")}
	for _, t := range toks {
		row := views.TokenRow{ID: t.ID, Name: t.Name, Scope: tr(c, "scope."+t.Scope), Created: dateText(t.CreatedAt), CreatedBy: actorText(c, t.CreatedBy),
			LastUsed: tr(c, "tokens.never"), Active: t.RevokedAt == nil}
		if t.LastUsedAt != nil {
			row.LastUsed = t.LastUsedAt.In(registry.Shanghai).Format("2006-01-02 15:04")
		}
		if t.RevokedAt != nil {
			row.Revoked = dateText(*t.RevokedAt)
		}
		v.Rows = append(v.Rows, row)
	}
	return v, nil
}

func (s *Server) handleTokenList(c echo.Context) error {
	v, err := s.tokensView(c)
	if err != nil {
		return err
	}
	flashFromQuery(c, &v.Page)
	return s.render(c, http.StatusOK, views.TokensPage(v))
}

// handleTokenCreate issues a token and shows its secret once.
func (s *Server) handleTokenCreate(c echo.Context) error {
	name := strings.TrimSpace(c.FormValue("name"))
	secret, _, err := s.db.CreateToken(c.Request().Context(), actor(c), name, registry.ScopeIngest)
	v, lerr := s.tokensView(c)
	if lerr != nil {
		return lerr
	}
	if verr, ok := registry.AsValidation(err); ok {
		v.Errs, v.Name = verr.Messages(lang(c)), name
		return s.render(c, http.StatusUnprocessableEntity, views.TokensPage(v))
	}
	if err != nil {
		return err
	}
	v.NewSecret, v.NewName = secret, name
	return s.render(c, http.StatusOK, views.TokensPage(v))
}

func (s *Server) handleTokenRevoke(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return registry.ErrNotFound
	}
	if err := s.db.RevokeToken(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return flashRedirect(c, "/console/tokens", "done.token_revoked")
}
