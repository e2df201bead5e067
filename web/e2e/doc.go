// Package e2e holds Chengxin's headless-browser tests (chromedp driving
// Debian's Chromium) for the pages people use. They run when CHENGXIN_E2E=1;
// plain `go test ./...` skips them with a message.
package e2e
