package main

import (
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
)

// progress shows a byte progress bar on stderr when it is a terminal; it is
// silent otherwise (logs and scripts get no control characters).
type progress struct {
	bar *progressbar.ProgressBar
	r   io.Reader
}

func newProgress(e *env, f *os.File) *progress {
	p := &progress{r: f}
	if !isTerminal(e.stderr) {
		return p
	}
	st, err := f.Stat()
	if err != nil {
		return p
	}
	p.bar = progressbar.NewOptions64(st.Size(),
		progressbar.OptionSetWriter(e.stderr),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetDescription("importing"),
		progressbar.OptionThrottle(100_000_000), // 100 ms
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(),
	)
	return p
}

// reader wraps the file so reading advances the bar.
func (p *progress) reader() io.Reader {
	if p.bar == nil {
		return p.r
	}
	r := progressbar.NewReader(p.r, p.bar)
	return &r
}

// rows is the importer's callback; the byte count already moves the bar.
func (p *progress) rows(int) {}

// clear removes the bar before other output is printed.
func (p *progress) clear() {
	if p.bar != nil {
		p.bar.Clear()
	}
}

func (p *progress) done() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
