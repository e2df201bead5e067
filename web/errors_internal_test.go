package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"chengxin/registry"
)

// TestHandleErrorStatuses: the registry's sentinels and the body limits map
// to their 4xx, on pages and on the JSON API alike.
func TestHandleErrorStatuses(t *testing.T) {
	s := New(Config{})
	for _, tc := range []struct {
		err  error
		want int
	}{
		{fmt.Errorf("registry: run 2025-03 is running: %w", registry.ErrConflict), http.StatusConflict},
		{registry.ErrHasLogin, http.StatusConflict},
		{fmt.Errorf("x: %w", registry.ErrNotFound), http.StatusNotFound},
		{fmt.Errorf("x: %w", registry.ErrForbidden), http.StatusForbidden},
		{&registry.ValidationError{}, http.StatusBadRequest},
		{&http.MaxBytesError{Limit: 10}, http.StatusRequestEntityTooLarge},
		{fmt.Errorf("disk on fire"), http.StatusInternalServerError},
	} {
		for _, path := range []string{"/console/vendors", "/api/v1/vendors"} {
			rec := httptest.NewRecorder()
			c := s.e.NewContext(httptest.NewRequest(http.MethodGet, path, nil), rec)
			c.Set(ctxLang, "zh")
			s.handleError(tc.err, c)
			if rec.Code != tc.want {
				t.Errorf("%s: %v → %d, want %d", path, tc.err, rec.Code, tc.want)
			}
		}
	}
}
