package registry_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// repoRoot is the module's root, seen from this package's directory.
const repoRoot = ".."

// parseRepo parses every Go file of the module (generated templ files
// included: they are Go like the rest) and calls fn with its path relative
// to the module root.
func parseRepo(t *testing.T, mode parser.Mode, fn func(rel string, fset *token.FileSet, f *ast.File)) {
	t.Helper()
	fset := token.NewFileSet()
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != repoRoot && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, mode)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(repoRoot, path)
		if err != nil {
			return err
		}
		fn(filepath.ToSlash(rel), fset, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Every loop over rows.Next() in the repository (tests included) is
// followed by a check of rows.Err() before the variable is reused or the
// function ends: Next returns false on an error as at the end of the rows,
// and a scoring input read short is a wrong grade, not a failure.
func TestEveryRowsLoopChecksErr(t *testing.T) {
	loops := 0
	parseRepo(t, 0, func(rel string, fset *token.FileSet, f *ast.File) {
		ast.Inspect(f, func(n ast.Node) bool {
			var body *ast.BlockStmt
			switch fn := n.(type) {
			case *ast.FuncDecl:
				body = fn.Body
			case *ast.FuncLit:
				body = fn.Body
			}
			if body == nil {
				return true
			}
			for _, bad := range uncheckedNextLoops(body, &loops) {
				t.Errorf("%s: %s.Next() loop without %s.Err() after it", fset.Position(bad.pos), bad.name, bad.name)
			}
			return true
		})
	})
	if loops < 50 {
		t.Fatalf("found only %d rows.Next() loops: the walk of the repository is broken", loops)
	}
}

type nextLoop struct {
	name     string
	pos, end token.Pos
}

// uncheckedNextLoops returns the `for X.Next() {…}` loops of one function
// body (not of the function literals inside it, which are checked on their
// own) after which X.Err() is not called before X is assigned again or the
// function ends.
func uncheckedNextLoops(body *ast.BlockStmt, count *int) []nextLoop {
	var loops []nextLoop
	errs, assigns := map[string][]token.Pos{}, map[string][]token.Pos{}
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ForStmt:
			if c, ok := x.Cond.(*ast.CallExpr); ok && len(c.Args) == 0 {
				if s, ok := c.Fun.(*ast.SelectorExpr); ok && s.Sel.Name == "Next" {
					if id, ok := s.X.(*ast.Ident); ok {
						loops = append(loops, nextLoop{id.Name, x.Pos(), x.End()})
					}
				}
			}
		case *ast.AssignStmt:
			for _, l := range x.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					assigns[id.Name] = append(assigns[id.Name], x.Pos())
				}
			}
		case *ast.CallExpr:
			if s, ok := x.Fun.(*ast.SelectorExpr); ok && s.Sel.Name == "Err" {
				if id, ok := s.X.(*ast.Ident); ok {
					errs[id.Name] = append(errs[id.Name], x.Pos())
				}
			}
		}
		return true
	})
	var bad []nextLoop
	for _, l := range loops {
		*count++
		until := body.End()
		for _, a := range assigns[l.name] {
			if a > l.end && a < until {
				until = a
			}
		}
		checked := false
		for _, e := range errs[l.name] {
			checked = checked || (e > l.end && e < until)
		}
		if !checked {
			bad = append(bad, l)
		}
	}
	return bad
}
