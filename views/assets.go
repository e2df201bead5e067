package views

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
)

// staticVersions are content hashes of the static files, so a page can
// link a file for good (?v=hash, cached as immutable) and still get a new
// one the day it changes.
var staticVersions = func() map[string]string {
	out := map[string]string{}
	fs.WalkDir(Static, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Static, name)
		if err != nil {
			return err
		}
		s := sha256.Sum256(b)
		out[name] = hex.EncodeToString(s[:6])
		return nil
	})
	return out
}()

// StaticVersion is the content hash of a static file ("" when there is
// no such file).
func StaticVersion(name string) string { return staticVersions[name] }

// staticURL is a static file's address with its version.
func staticURL(name string) string { return "/static/" + name + "?v=" + staticVersions[name] }
