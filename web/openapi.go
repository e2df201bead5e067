package web

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPIDocument describes every /api/v1 route (OpenAPI 3.1); a test keeps
// it and the router in step.
//
//go:embed openapi.json
var openAPIDocument []byte

func (s *Server) handleOpenAPI(c echo.Context) error {
	c.Response().Header().Set("Access-Control-Allow-Origin", "*")
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	return c.Blob(http.StatusOK, "application/json", openAPIDocument)
}
