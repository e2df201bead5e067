package web

import (
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"
)

// maxUploadsPerUser bounds the uploads one account may have in flight in
// this process: a file is read, validated and staged (up to 10 MB each), so
// a signed-in user cannot tie up memory and the writer with many at once.
const maxUploadsPerUser = 2

// uploadRetryAfter is the Retry-After of a refused upload, in seconds.
const uploadRetryAfter = "5"

// uploadSlots counts each user's uploads in flight.
type uploadSlots struct {
	mu   sync.Mutex
	busy map[int64]int
}

func newUploadSlots() *uploadSlots { return &uploadSlots{busy: map[int64]int{}} }

// middleware admits an upload only while its user has fewer than
// maxUploadsPerUser in flight, else answers 429 with Retry-After without
// reading the body. It runs after the role check, so the session is known.
func (u *uploadSlots) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess := session(c)
		if sess == nil {
			return echo.NewHTTPError(http.StatusForbidden, "role")
		}
		id := sess.User.ID
		u.mu.Lock()
		if u.busy[id] >= maxUploadsPerUser {
			u.mu.Unlock()
			c.Response().Header().Set("Retry-After", uploadRetryAfter)
			return echo.NewHTTPError(http.StatusTooManyRequests, "error.upload_busy")
		}
		u.busy[id]++
		u.mu.Unlock()
		defer func() {
			u.mu.Lock()
			if u.busy[id]--; u.busy[id] <= 0 {
				delete(u.busy, id)
			}
			u.mu.Unlock()
		}()
		return next(c)
	}
}
