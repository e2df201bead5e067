package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"chengxin/registry"
)

// Body limits.
const (
	formBodyLimit   = "1M"
	uploadLimitMB   = 10
	uploadBodyLimit = "11M" // the file plus multipart framing
)

// routes registers every route of the application: this file is the map.
func (s *Server) routes() {
	e := s.e
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.Recover())
	e.Use(s.requestLog)
	e.Use(s.metrics.middleware)
	e.Use(s.securityHeaders)

	// Operations.
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/static/*", s.handleStatic)
	e.GET("/metrics", s.metrics.handler())

	// Public disclosure site.
	ps := newPublicSite(s)
	pub := e.Group("", s.language)
	pub.GET("/", ps.handleHome, ps.cached(pubScopeAll))
	pub.GET("/vendors", ps.handleSearch, ps.cached(pubScopeAll))
	pub.GET("/vendors/:uscc", ps.handleVendor, ps.cached(pubScopeVendor))
	pub.GET("/vendors/:uscc/badge.svg", ps.handleBadge, ps.cached(pubScopeVendor))
	pub.GET("/vendors/:uscc/qr.svg", ps.handleQR, ps.cached(pubScopeVendor))
	pub.GET("/vendors/:uscc/sticker", ps.handleSticker, ps.cached(pubScopeVendor))
	pub.GET("/orgs", ps.handleOrgs, ps.cached(pubScopeAll))
	pub.GET("/orgs/:uscc", ps.handleOrg, ps.cached(pubScopeAll))
	pub.GET("/lists/red", ps.handleRedList, ps.cached(pubScopeAll))
	pub.GET("/lists/black", ps.handleBlackList, ps.cached(pubScopeAll))
	pub.GET("/methodology", ps.handleMethodology, ps.cached(pubScopeAll))
	pub.GET("/transparency", ps.handleTransparency)
	pub.GET("/open-data/vendors.csv", ps.handleCSV)

	// Public JSON.
	api := e.Group("/api/v1")
	api.GET("/vendors", ps.handleAPIVendors, ps.cached(pubScopeAll))
	api.GET("/vendors/:uscc", s.handleAPIVendorShow, ps.cached(pubScopeVendor))
	api.GET("/openapi.json", s.handleOpenAPI)
	api.GET("/checkpoints", s.handleCheckpoints)
	api.GET("/checkpoints/key", s.handleCheckpointKey)
	api.GET("/checkpoints/latest", s.handleCheckpointLatest)
	ingest := s.requireToken(registry.ScopeIngest)
	api.POST("/complaints", ingestHandler(s, workOrderKey, s.db.IngestComplaints), ingest)
	api.POST("/callbacks", ingestHandler(s, workOrderKey, s.db.IngestCallbacks), ingest)
	api.POST("/volumes", ingestHandler(s, volumeKey, s.db.IngestVolumes), ingest)

	// Pages.
	pages := e.Group("", s.language, middleware.BodyLimit(formBodyLimit), s.loadSession, s.checkCSRF)
	pages.GET("/console/login", s.handleLoginForm)
	pages.POST("/console/login", s.handleLogin)
	pages.GET("/console/invite/:token", s.handleInviteForm)
	pages.POST("/console/invite/:token", s.handleInviteAccept)

	all := []string{registry.RoleRegulator, registry.RoleAssociation, registry.RoleVendor}
	s.console(pages, http.MethodPost, "/console/logout", s.handleLogout, all...)
	s.console(pages, http.MethodGet, "/console", s.handleConsoleHome, all...)

	reg := registry.RoleRegulator
	s.console(pages, http.MethodGet, "/console/vendors", s.handleVendorList, reg)
	s.console(pages, http.MethodGet, "/console/vendors/new", s.handleVendorNewForm, reg)
	s.console(pages, http.MethodPost, "/console/vendors/new", s.handleVendorCreate, reg)
	s.console(pages, http.MethodGet, "/console/vendors/:uscc", s.handleVendorShow, reg)
	s.console(pages, http.MethodGet, "/console/vendors/:uscc/edit", s.handleVendorEditForm, reg)
	s.console(pages, http.MethodPost, "/console/vendors/:uscc/edit", s.handleVendorUpdate, reg)
	s.console(pages, http.MethodPost, "/console/vendors/:uscc/status", s.handleVendorStatus, reg)
	s.console(pages, http.MethodPost, "/console/vendors/:uscc/invite", s.handleVendorInvite, reg)
	s.console(pages, http.MethodPost, "/console/vendors/:uscc/sanctions", s.handleSanctionCreate, reg)
	s.console(pages, http.MethodPost, "/console/sanctions/:id/end", s.handleSanctionEnd, reg)
	s.console(pages, http.MethodGet, "/console/orgs", s.handleOrgList, reg)
	s.console(pages, http.MethodPost, "/console/orgs", s.handleOrgCreate, reg)
	s.console(pages, http.MethodGet, "/console/users", s.handleUserList, reg)
	s.console(pages, http.MethodPost, "/console/users", s.handleUserCreate, reg)
	s.console(pages, http.MethodGet, "/console/audit", s.handleAuditList, reg)
	s.console(pages, http.MethodGet, "/console/tokens", s.handleTokenList, reg)
	s.console(pages, http.MethodPost, "/console/tokens", s.handleTokenCreate, reg)
	s.console(pages, http.MethodPost, "/console/tokens/:id/revoke", s.handleTokenRevoke, reg)

	assoc := registry.RoleAssociation
	s.console(pages, http.MethodGet, "/console/members", s.handleMemberList, assoc)
	s.console(pages, http.MethodGet, "/console/members/new", s.handleMemberNewForm, assoc)
	s.console(pages, http.MethodPost, "/console/members/new", s.handleMemberCreate, assoc)
	s.console(pages, http.MethodPost, "/console/members/:uscc/action", s.handleMemberAction, assoc)
	uploads := e.Group("", s.language, middleware.BodyLimit(uploadBodyLimit), s.loadSession, s.checkCSRF)
	s.importRoutes(pages, uploads, s.memberImportFlow(), assoc)

	s.importRoutes(pages, uploads, s.regulatorImportFlow(), reg)
	s.console(pages, http.MethodGet, "/console/rules", s.handleRules, reg)
	s.console(uploads, http.MethodPost, "/console/rules/whatif", s.handleRulesWhatIf, reg)
	s.console(pages, http.MethodPost, "/console/rules/adopt", s.handleRulesAdopt, reg)

	s.console(pages, http.MethodGet, "/console/me", s.handleVendorHome, registry.RoleVendor)
	s.console(pages, http.MethodPost, "/console/me/objections", s.handleObjectGrade, registry.RoleVendor)
	s.console(pages, http.MethodPost, "/console/me/complaint-objections", s.handleObjectComplaint, registry.RoleVendor)
	s.console(pages, http.MethodPost, "/console/me/reply", s.handleReply, registry.RoleVendor)
	s.console(pages, http.MethodPost, "/console/me/repair", s.handleRepair, registry.RoleVendor)
	s.console(pages, http.MethodGet, "/console/me/memberships", s.handleMyMemberships, registry.RoleVendor)
	s.console(pages, http.MethodPost, "/console/me/memberships/:org", s.handleMyMembershipAction, registry.RoleVendor)
	s.console(pages, http.MethodGet, "/console/reviews", s.handleReviews, reg)
	s.console(pages, http.MethodGet, "/console/dashboard", s.handleDashboard, reg)
	s.console(pages, http.MethodGet, "/console/dashboard.csv", s.handleDashboardCSV, reg)
	s.console(pages, http.MethodPost, "/console/reviews/:id", s.handleDecide, reg)
	s.console(pages, http.MethodPost, "/console/vendors/:uscc/override", s.handleOverride, reg)
	s.console(pages, http.MethodPost, "/console/vendors/:uscc/predecessor", s.handleLinkPredecessor, reg)
}

// importRoutes registers an upload flow: form, template download, preview
// (the upload itself, with the larger body limit) and confirmation.
func (s *Server) importRoutes(pages, uploads *echo.Group, f *importFlow, roles ...string) {
	s.console(pages, http.MethodGet, f.base, s.handleImportForm(f), roles...)
	s.console(pages, http.MethodGet, f.base+"/template/:kind", s.handleImportTemplate(f), roles...)
	s.console(uploads, http.MethodPost, f.base+"/preview", s.handleImportPreview(f), roles...)
	s.console(pages, http.MethodPost, f.base+"/confirm", s.handleImportConfirm(f), roles...)
}

// console registers a console route behind the role check and records its
// roles so tests can walk the route table.
func (s *Server) console(g *echo.Group, method, path string, h echo.HandlerFunc, roles ...string) {
	g.Add(method, path, h, requireRole(roles...))
	s.routeRoles[method+" "+path] = roles
}
