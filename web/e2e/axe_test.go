package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/chromedp/chromedp"
)

// axeSource returns axe-core's script: AXE_CORE_JS, or the copy that
// .ci/run installs with npm into web/e2e/node_modules (kept out of git).
func (f *fixture) axeSource() string {
	f.t.Helper()
	path := os.Getenv("AXE_CORE_JS")
	if path == "" {
		path = filepath.Join("node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		f.t.Fatalf("axe-core not found at %s (npm install --prefix web/e2e -E axe-core@4.14.1): %v", path, err)
	}
	return string(b)
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// checkAxe runs axe-core on the current page and fails on any serious or
// critical violation.
func (f *fixture) checkAxe(ctx context.Context, page string) {
	f.t.Helper()
	script := f.axeSource() + `;
		axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => ({target: n.target}))})))`
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](script, chromedp.EvalAwaitPromise))
	if err != nil {
		f.t.Fatalf("axe %s: %v", page, err)
	}
	var bad []string
	for _, v := range violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			bad = append(bad, v.Impact+" "+v.ID+": "+v.Help)
			for _, n := range v.Nodes {
				for _, t := range n.Target {
					if s, ok := t.(string); ok {
						bad = append(bad, "    at "+s)
					}
				}
			}
		}
	}
	if len(bad) > 0 {
		f.screenshot(ctx, "axe-"+page)
		f.t.Errorf("axe found serious/critical violations on %s:\n%s", page, strings.Join(bad, "\n"))
	}
}
