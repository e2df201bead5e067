// Package views holds Chengxin's templ components and static assets. It knows
// view models only: no database, no clock. Strings come from the i18n catalog
// in the language the web layer put into the context.
package views

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"

	"chengxin/i18n"
)

//go:embed static
var staticFS embed.FS

// Static is the embedded static file tree (app.css, icons).
var Static, _ = fs.Sub(staticFS, "static")

// CSSVersion is a content hash of app.css, used to bust caches.
var CSSVersion = func() string {
	b, _ := fs.ReadFile(Static, "app.css")
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:6])
}()

type langKey struct{}

// WithLang stores the reader's language in ctx.
func WithLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, langKey{}, lang)
}

// Lang returns the language stored in ctx (Chinese by default).
func Lang(ctx context.Context) string {
	if l, ok := ctx.Value(langKey{}).(string); ok && l != "" {
		return l
	}
	return i18n.ZH
}

// t renders a catalog message in the context's language.
func t(ctx context.Context, key string, args ...any) string {
	return i18n.Get(Lang(ctx), key, args...)
}

// htmlLang is the value of the html lang attribute.
func htmlLang(ctx context.Context) string {
	if Lang(ctx) == i18n.EN {
		return "en"
	}
	return "zh-CN"
}

// Option is one choice in a select or checkbox list.
type Option struct {
	Value, Label string
	Selected     bool
}

// UserInfo is the logged-in user as the page header shows it.
type UserInfo struct {
	Username string
	Role     string // regulator, association, vendor
	OrgName  string
}

// Page carries what every page needs.
type Page struct {
	Title       string
	Description string
	User        *UserInfo
	CSRF        string
	Path        string // current path, for the language switch and nav highlighting
	OtherLang   string // URL of this page in the other language
	Flash       string // one-off confirmation message
	FlashError  bool
}

// FieldErrors maps a field name to its message, already in the reader's language.
type FieldErrors map[string]string

type csrfKey struct{}

// WithCSRF stores the request's CSRF token in ctx, for forms deep in a page.
func WithCSRF(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, csrfKey{}, token)
}

func csrfFrom(ctx context.Context) string {
	s, _ := ctx.Value(csrfKey{}).(string)
	return s
}
