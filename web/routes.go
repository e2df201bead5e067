package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"chengxin/registry"
)

// Body limits.
const (
	anonBodyLimit   = "64K" // the sign-in and invitation forms
	formBodyLimit   = "1M"
	uploadLimitMB   = 10
	uploadBodyLimit = "11M" // the file plus multipart framing
)

// routes registers every route of the application: this file is the map.
func (s *Server) routes() {
	e := s.e
	// observe comes first, so that every answer (trailing-slash redirects,
	// recovered panics, mapped errors) is logged and counted with the status
	// the client got.
	e.Pre(s.observe)
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{StackSize: 8 << 10, DisableErrorHandler: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", "method", c.Request().Method, "route", c.Path(), "err", err, "stack", string(stack))
			return err
		}}))
	e.Use(s.securityHeaders)

	// Operations.
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/static/*", s.handleStatic)
	e.GET("/metrics", s.handleMetrics)

	// Public disclosure site.
	ps := newPublicSite(s)
	s.docs = ps.docs
	pub := e.Group("", s.language)
	pub.GET("/", ps.handleHome, ps.cached(pubScopeAll))
	pub.GET("/vendors", ps.handleSearch, ps.cached(pubScopeAll))
	pub.GET("/vendors/:uscc", ps.handleVendor, ps.cached(pubScopeProfile))
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
	api.GET("/vendors/:uscc", ps.handleAPIVendorShow)
	api.GET("/openapi.json", s.handleOpenAPI)
	api.GET("/checkpoints", s.handleCheckpoints)
	api.GET("/checkpoints/key", s.handleCheckpointKey)
	api.GET("/checkpoints/latest", s.handleCheckpointLatest)
	ingest := s.requireToken(registry.ScopeIngest)
	api.POST("/complaints", ingestHandler(s, workOrderKey, s.db.IngestComplaints), ingest)
	api.POST("/callbacks", ingestHandler(s, workOrderKey, s.db.IngestCallbacks), ingest)
	api.POST("/volumes", ingestHandler(s, volumeKey, s.db.IngestVolumes), ingest)

	// Pages. No middleware of the groups reads a request body: the session
	// is loaded from the cookie, then each console route checks the role
	// before its body limit and the CSRF check (which parses the form) run,
	// so an anonymous or unauthorised request is answered without reading
	// what it sends. Only the sign-in and invitation forms read an
	// anonymous body, with a small limit.
	base := e.Group("", s.language, s.loadSession)
	pages := consoleGroup{g: base, body: []echo.MiddlewareFunc{middleware.BodyLimit(formBodyLimit), s.checkCSRF}}
	uploads := consoleGroup{g: base, body: []echo.MiddlewareFunc{s.uploadSlots.middleware, middleware.BodyLimit(uploadBodyLimit), s.checkCSRF}}
	anon := []echo.MiddlewareFunc{middleware.BodyLimit(anonBodyLimit), s.checkCSRF}
	base.GET("/console/login", s.handleLoginForm)
	base.POST("/console/login", s.handleLogin, anon...)
	base.GET("/console/invite/:token", s.handleInviteForm)
	base.POST("/console/invite/:token", s.handleInviteAccept, anon...)

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
	s.console(pages, http.MethodPost, "/console/users/:id/disable", s.handleUserDisable, reg)
	s.console(pages, http.MethodPost, "/console/users/:id/enable", s.handleUserEnable, reg)
	s.console(pages, http.MethodGet, "/console/invitations", s.handleInvitationList, reg, registry.RoleAssociation)
	s.console(pages, http.MethodPost, "/console/invitations/:id/revoke", s.handleInvitationRevoke, reg, registry.RoleAssociation)
	s.console(pages, http.MethodGet, "/console/audit", s.handleAuditList, reg)
	s.console(pages, http.MethodGet, "/console/tokens", s.handleTokenList, reg)
	s.console(pages, http.MethodPost, "/console/tokens", s.handleTokenCreate, reg)
	s.console(pages, http.MethodPost, "/console/tokens/:id/revoke", s.handleTokenRevoke, reg)

	assoc := registry.RoleAssociation
	s.console(pages, http.MethodGet, "/console/members", s.handleMemberList, assoc)
	s.console(pages, http.MethodGet, "/console/members/new", s.handleMemberNewForm, assoc)
	s.console(pages, http.MethodPost, "/console/members/new", s.handleMemberCreate, assoc)
	s.console(pages, http.MethodPost, "/console/members/:uscc/action", s.handleMemberAction, assoc)
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
	s.console(pages, http.MethodGet, "/console/publications", s.handleRuns, reg)
	s.console(pages, http.MethodGet, "/console/publications/:id", s.handleRun, reg)
	s.console(pages, http.MethodGet, "/console/pending", s.handlePending, reg)
}

// importRoutes registers an upload flow: form, template download, preview
// (the upload itself, with the larger body limit) and confirmation.
func (s *Server) importRoutes(pages, uploads consoleGroup, f *importFlow, roles ...string) {
	s.console(pages, http.MethodGet, f.base, s.handleImportForm(f), roles...)
	s.console(pages, http.MethodGet, f.base+"/template/:kind", s.handleImportTemplate(f), roles...)
	s.console(uploads, http.MethodPost, f.base+"/preview", s.handleImportPreview(f), roles...)
	s.console(pages, http.MethodPost, f.base+"/confirm", s.handleImportConfirm(f), roles...)
}

// consoleGroup is a kind of console route: the group (language, session)
// and the middleware that may read the body, run after the role check.
type consoleGroup struct {
	g    *echo.Group
	body []echo.MiddlewareFunc
}

// console registers a console route behind the role check (first, before
// anything reads the body) and records its roles so tests can walk the
// route table.
func (s *Server) console(g consoleGroup, method, path string, h echo.HandlerFunc, roles ...string) {
	mw := append([]echo.MiddlewareFunc{requireRole(roles...)}, g.body...)
	g.g.Add(method, path, h, mw...)
	s.routeRoles[method+" "+path] = roles
}
