package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/views"
)

// publicSite serves the public disclosure site and open data. Pages are
// server-rendered once and kept in memory with their ETag for as long as
// what they show is unchanged (publicity.Catalog follows every change), so
// a repeated request costs one indexed read and a memory copy, and a
// conditional one gets 304.
type publicSite struct {
	s       *Server
	catalog *publicity.Catalog
	docs    *publicity.Documents
	cache   *pubPageCache

	mu      sync.Mutex
	version int64     // latest version seen
	seenAt  time.Time // when it was first seen (Last-Modified of streamed data)

	lastSync atomic.Int64 // monotonic nanoseconds of the last catalog refresh

	rendererOnce sync.Once
	rendererID   string // RendererID
}

// syncEvery is how often the catalog asks the database for changes (one
// indexed read); a request with Cache-Control: no-cache asks at once.
const syncEvery = 100 * time.Millisecond

// monoStart anchors monotonic time for lastSync.
var monoStart = time.Now()

// sync brings the catalog up to date at most every syncEvery, or now when
// the request asks for fresh data (a browser's reload, a client after a change).
func (ps *publicSite) sync(c echo.Context) error {
	now := int64(time.Since(monoStart))
	if !wantsFresh(c.Request()) && now-ps.lastSync.Load() < int64(syncEvery) && ps.lastSync.Load() != 0 {
		return nil
	}
	if err := ps.catalog.Refresh(c.Request().Context()); err != nil {
		return err
	}
	ps.lastSync.Store(max(now, 1))
	return nil
}

// wantsFresh: the request says no-cache (RFC 9111 5.2.1.4).
func wantsFresh(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Cache-Control"), "no-cache") || r.Header.Get("Pragma") == "no-cache"
}

func newPublicSite(s *Server) *publicSite {
	catalog := publicity.NewCatalog(s.db)
	ps := &publicSite{s: s, catalog: catalog, docs: catalog.Documents(),
		cache: &pubPageCache{entries: map[string]*pubPageEntry{}, limit: s.cfg.PageCacheBytes}}
	ps.docs.SetPageRenderer(ps)
	ps.docs.SetStoreErrorReport(func(err error) {
		s.log.Warn("a public document or page built for a reader was served but not stored (the writer was busy); readers leave storing to the builder for a few seconds", "err", err)
	})
	return ps
}

// Cache scopes: what a cached response depends on.
const (
	pubScopeAll     = iota // anything public (lists, search, home)
	pubScopeVendor         // one vendor (:uscc) plus organisations and rules
	pubScopeProfile        // a vendor's disclosure page: its stored page, else as pubScopeVendor
)

// DefaultPageCacheBytes bounds the memory the page cache holds; past it,
// it starts over (Config.PageCacheBytes).
const DefaultPageCacheBytes = 16 << 20

// pubCacheTTL bounds how long a page is served without rendering again,
// for what changes with time alone (a sanction's display ending).
const pubCacheTTL = 10 * time.Minute

// pubPageEntry is one cached 200 response.
type pubPageEntry struct {
	version  string // what the page shows: the catalog's seq, or a vendor document's ETag
	body     []byte
	header   http.Header // the content headers to replay
	etag     string
	modified time.Time
	stored   time.Time
}

type pubPageCache struct {
	mu      sync.Mutex
	entries map[string]*pubPageEntry
	bytes   int
	limit   int // bytes; 0: the cache is off
}

func (pc *pubPageCache) get(key string, version string, now time.Time) *pubPageEntry {
	if pc.limit <= 0 {
		return nil
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	e := pc.entries[key]
	if e == nil || e.version != version || now.Sub(e.stored) > pubCacheTTL || now.Before(e.stored) {
		return nil
	}
	return e
}

func (pc *pubPageCache) put(key string, e *pubPageEntry) {
	if pc.limit <= 0 {
		return
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if old := pc.entries[key]; old != nil {
		pc.bytes -= len(old.body) + len(key)
	}
	if pc.bytes+len(e.body)+len(key) > pc.limit {
		clear(pc.entries)
		pc.bytes = 0
	}
	pc.entries[key] = e
	pc.bytes += len(e.body) + len(key)
}

// pubReplayed are the response headers a cached entry keeps.
var pubReplayed = []string{echo.HeaderContentType, "Cache-Control", "Access-Control-Allow-Origin",
	"Access-Control-Expose-Headers", "Content-Disposition"}

// pubCapture collects a handler's response so it can be cached.
type pubCapture struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (w *pubCapture) Header() http.Header { return w.header }
func (w *pubCapture) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *pubCapture) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.buf.Write(b)
}
func (w *pubCapture) Flush() {}

// cached serves GET responses from the page cache while the data they show
// is unchanged, and answers conditional requests (If-None-Match,
// If-Modified-Since) with 304.
func (ps *publicSite) cached(scope int) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			var version string
			cacheable := true
			if scope == pubScopeProfile {
				if code := pubCode(c); code != "" && storedPageRequest(c) {
					if handled, err := ps.serveStoredPage(c, code); handled {
						return err
					}
				}
			}
			switch scope {
			case pubScopeVendor, pubScopeProfile:
				// The vendor's stored document: current, or built now.
				// Handlers read it from the context (vendorDocument).
				cacheable = false
				if code := pubCode(c); code != "" {
					doc, err := ps.docs.ByUSCC(c.Request().Context(), code, registry.PartDetail|registry.PartProfile, ps.s.now())
					switch {
					case err == nil:
						c.Set(vendorDocumentKey, doc)
						version, cacheable = doc.ETag, true
					case !publicity.IsNotFound(err):
						return err
					}
				}
			default:
				if err := ps.sync(c); err != nil {
					return err
				}
				v, err := ps.versionNow(c)
				if err != nil {
					return err
				}
				version = strconv.FormatInt(v, 10)
			}
			key := pubCacheKey(c)
			now := ps.s.now()
			// Only URLs a page links to are stored: unknown parameters
			// cannot push the pages people use out of the cache.
			cacheable = cacheable && knownParams(c.Request().URL.Query())
			if cacheable {
				if e := ps.cache.get(key, version, now); e != nil {
					return pubServe(c, e)
				}
			}
			res := c.Response()
			orig := res.Writer
			cw := &pubCapture{header: orig.Header()}
			res.Writer = cw
			err := next(c)
			res.Writer = orig
			if cw.status == 0 { // nothing written: an error for the error handler
				return err
			}
			res.Committed, res.Status, res.Size = false, http.StatusOK, 0
			if cw.status != http.StatusOK || !cacheable {
				res.WriteHeader(cw.status)
				_, werr := res.Write(cw.buf.Bytes())
				return werr
			}
			e := &pubPageEntry{version: version, body: bytes.Clone(cw.buf.Bytes()), header: http.Header{},
				etag: publicity.ETagOf(cw.buf.Bytes()), modified: now.Truncate(time.Second), stored: now}
			for _, h := range pubReplayed {
				if v := cw.header.Get(h); v != "" {
					e.header.Set(h, v)
				}
			}
			ps.cache.put(key, e)
			return pubServe(c, e)
		}
	}
}

// pubParams are the query parameters public pages and data understand.
var pubParams = map[string]bool{"q": true, "category": true, "district": true, "grade": true, "sort": true,
	"page": true, "per_page": true, "lang": true}

func knownParams(q url.Values) bool {
	for k := range q {
		if !pubParams[k] {
			return false
		}
	}
	return true
}

// pubCacheKey identifies a response: path, sorted query and language. The
// Host header is not part of it: no page depends on it (links are built
// from -base-url), and varying it must not fill the cache.
func pubCacheKey(c echo.Context) string {
	r := c.Request()
	return r.URL.Path + "?" + r.URL.Query().Encode() + "|" + lang(c)
}

// pubServe writes a cached response, or 304 when the client has it.
func pubServe(c echo.Context, e *pubPageEntry) error {
	h := c.Response().Header()
	for k, v := range e.header {
		h[k] = v
	}
	h.Set("ETag", e.etag)
	h.Set("Last-Modified", e.modified.UTC().Format(http.TimeFormat))
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache") // store, but revalidate (cheap: 304)
	}
	if h.Get("Access-Control-Allow-Origin") != "" {
		h.Set("Access-Control-Expose-Headers", "ETag, Last-Modified")
	}
	if pubNotModified(c.Request(), e.etag, e.modified) {
		h.Del(echo.HeaderContentType)
		h.Del(echo.HeaderContentLength)
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, e.header.Get(echo.HeaderContentType), e.body)
}

// pubNotModified applies RFC 9110's conditional GET: If-None-Match wins over
// If-Modified-Since.
func pubNotModified(r *http.Request, etag string, modified time.Time) bool {
	if r.Header.Get("If-None-Match") != "" {
		return etagMatches(r, etag)
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !modified.Truncate(time.Second).After(t) {
			return true
		}
	}
	return false
}

// etagMatches reports whether If-None-Match names etag (or is "*").
func etagMatches(r *http.Request, etag string) bool {
	for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// versionNow returns the catalog's version and remembers when it was first
// seen (the Last-Modified of streamed open data).
func (ps *publicSite) versionNow(c echo.Context) (int64, error) {
	v, err := ps.catalog.Version(c.Request().Context())
	if err != nil {
		return 0, err
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if v != ps.version || ps.seenAt.IsZero() {
		ps.version, ps.seenAt = v, ps.s.now().Truncate(time.Second)
	}
	return v, nil
}

func (ps *publicSite) changedAt() time.Time {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.seenAt
}

// page builds the common page model with a description.
func (ps *publicSite) page(c echo.Context, title, description string) views.Page {
	p := ps.s.page(c, title)
	p.Description = description
	return p
}

// render writes a public page with the page Cache-Control (revalidate each time).
func (ps *publicSite) render(c echo.Context, status int, comp templ.Component) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	return ps.s.render(c, status, comp)
}

// notFound is the friendly 404 page of the public site.
func (ps *publicSite) notFound(c echo.Context) error {
	p := ps.page(c, tr(c, "error.title.404"), tr(c, "pub.notfound.description"))
	return ps.s.render(c, http.StatusNotFound, views.PublicErrorPage(p, tr(c, "pub.notfound.message")))
}

// vendorDocumentKey is where cached(pubScopeVendor) leaves the vendor's
// stored document for the handler.
const vendorDocumentKey = "chengxin.vendor-document"

// vendorDocument returns the stored document cached(pubScopeVendor) read;
// false when the vendor does not exist.
func vendorDocument(c echo.Context) (registry.PublicDocument, bool) {
	doc, ok := c.Get(vendorDocumentKey).(registry.PublicDocument)
	return doc, ok
}

// pubCode returns the normalised :uscc parameter, or "" when it cannot
// be a code.
func pubCode(c echo.Context) string {
	code := registry.NormalizeUSCC(c.Param("uscc"))
	if len(code) != registry.USCCLength {
		return ""
	}
	return code
}
