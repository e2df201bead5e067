package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"chengxin/registry"
)

// streamedUpload is a multipart body of about size bytes generated as it is
// read, so the clients of the test hold no copy of it.
type streamedUpload struct {
	head, tail []byte
	filler     int64
	line       []byte
	pos        int
}

func newStreamedUpload(size int64, csrf string) (*streamedUpload, string) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	mw.WriteField("csrf", csrf)
	mw.WriteField("kind", "complaints")
	mw.CreateFormFile("file", "big.csv")
	tail := []byte("\r\n--" + mw.Boundary() + "--\r\n")
	u := &streamedUpload{head: bytes.Clone(head.Bytes()), tail: tail, line: []byte("8890-2025-0001,91120101MA05ABCD1,2025-03-01 09:00,phone\n")}
	u.filler = size - int64(len(u.head)+len(u.tail))
	return u, mw.FormDataContentType()
}

func (u *streamedUpload) Len() int64 { return int64(len(u.head)+len(u.tail)) + u.filler }

func (u *streamedUpload) Read(p []byte) (int, error) {
	switch {
	case len(u.head) > 0:
		n := copy(p, u.head)
		u.head = u.head[n:]
		return n, nil
	case u.filler > 0:
		n := 0
		for n < len(p) && u.filler > 0 {
			c := copy(p[n:min(len(p), n+int(u.filler))], u.line[u.pos:])
			u.pos = (u.pos + c) % len(u.line)
			n += c
			u.filler -= int64(c)
		}
		return n, nil
	case len(u.tail) > 0:
		n := copy(p, u.tail)
		u.tail = u.tail[n:]
		return n, nil
	}
	return 0, io.EOF
}

// vmRSS reads the process's resident set size from /proc/self/status.
func vmRSS(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	t.Skip("no VmRSS")
	return 0
}

// TestUploadsNotReadBeforeAuth: 50 concurrent 10 MB uploads to the upload
// routes, served by a real listener, anonymous and from signed-in accounts
// without the role, are answered without the server reading them: the
// process's RSS (server and clients) rises by less than 50 MB; and one
// account gets at most 2 uploads in flight, the rest 429.
func TestUploadsNotReadBeforeAuth(t *testing.T) {
	if testing.Short() {
		t.Skip("500 MB of uploads")
	}
	e := newEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := e.srv.HTTPServer(ln.Addr().String())
	served := &statusCounter{h: hs.Handler, codes: map[int]int{}}
	hs.Handler = served
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String()

	vendor := e.as(registry.RoleVendor)
	anon := e.client()
	anon.get("/console/login")
	anonCSRF := anon.jar["cx_csrf"].Value

	const uploads, size = 50, 10 << 20
	// The server answers such a request and closes the connection without
	// reading the rest, so most clients see their write fail ("connection
	// reset") rather than the answer: the statuses are counted server-side.
	// checkRSS: the 50 MB bound is for bodies the server must not read; the
	// one-account run reads two 10 MB files on purpose, so there the RSS is
	// only reported.
	run := func(name string, checkRSS bool, routes []string, cookies func(i int) []*http.Cookie, csrf string, wantCodes ...int) (peak int64, codes map[int]int) {
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, MaxConnsPerHost: 0},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: time.Minute}
		served.reset()
		runtime.GC()
		debug.FreeOSMemory()
		base0 := vmRSS(t)
		var peakRSS atomic.Int64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			for {
				if r := vmRSS(t); r > peakRSS.Load() {
					peakRSS.Store(r)
				}
				select {
				case <-stop:
					return
				case <-time.After(2 * time.Millisecond):
				}
			}
		}()
		var wg sync.WaitGroup
		start := time.Now()
		for i := range uploads {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body, ctype := newStreamedUpload(size, csrf)
				req, _ := http.NewRequest(http.MethodPost, base+routes[i%len(routes)], body)
				req.ContentLength = body.Len()
				req.Header.Set("Content-Type", ctype)
				for _, ck := range cookies(i) {
					req.AddCookie(ck)
				}
				if res, err := client.Do(req); err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
			}()
		}
		wg.Wait()
		close(stop)
		<-sampled
		took := time.Since(start)
		peak = peakRSS.Load() - base0
		codes = served.snapshot()
		t.Logf("%s: %d × %d MiB uploads answered in %s: %v; RSS %d MiB before, peak +%.1f MiB",
			name, uploads, size>>20, took.Round(time.Millisecond), codes, base0>>20, float64(peak)/(1<<20))
		for code, n := range codes {
			if !containsInt(wantCodes, code) {
				t.Errorf("%s: %d answers %d, want only %v", name, n, code, wantCodes)
			}
		}
		if checkRSS && peak >= 50<<20 {
			t.Errorf("%s: RSS rose by %.1f MiB, want < 50 MiB: bodies are read before the checks", name, float64(peak)/(1<<20))
		}
		return peak, codes
	}

	all := []string{"/console/imports/preview", "/console/members/import/preview", "/console/rules/whatif"}
	run("anonymous", true, all, func(int) []*http.Cookie { return []*http.Cookie{{Name: "cx_csrf", Value: anonCSRF}} }, anonCSRF, http.StatusSeeOther)
	run("wrong role", true, all, func(int) []*http.Cookie { return []*http.Cookie{vendor.jar["cx_session"]} }, vendor.csrf, http.StatusForbidden)

	// One regulator sending 50 at once: 2 are read and checked (a 10 MB
	// file of garbage each), the others are refused unread.
	reg := e.as(registry.RoleRegulator)
	_, codes := run("one regulator", false, []string{"/console/imports/preview", "/console/rules/whatif"}, func(int) []*http.Cookie { return []*http.Cookie{reg.jar["cx_session"]} }, reg.csrf,
		http.StatusTooManyRequests, http.StatusOK, http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge)
	if read := uploads - codes[http.StatusTooManyRequests]; read > uploads/5 || read < 2 {
		t.Errorf("%d of %d concurrent uploads of one account were read, want a few (2 at a time)", read, uploads)
	}
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// statusCounter counts the statuses a server answers.
type statusCounter struct {
	h     http.Handler
	mu    sync.Mutex
	codes map[int]int
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *statusCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	s.h.ServeHTTP(sw, r)
	s.mu.Lock()
	s.codes[sw.code]++
	s.mu.Unlock()
}

func (s *statusCounter) reset() {
	s.mu.Lock()
	s.codes = map[int]int{}
	s.mu.Unlock()
}

func (s *statusCounter) snapshot() map[int]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int]int{}
	for k, v := range s.codes {
		out[k] = v
	}
	return out
}
