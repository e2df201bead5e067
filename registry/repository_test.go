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

// sqlImports are the import paths that run SQL: database/sql and the
// drivers (any engine).
var sqlImports = []string{"database/sql", "modernc.org/sqlite", "github.com/jackc/", "github.com/lib/pq",
	"github.com/mattn/go-sqlite3", "github.com/go-sql-driver/"}

func isSQLImport(path string) bool {
	for _, p := range sqlImports {
		if path == p || strings.HasPrefix(path, p+"/") || strings.HasSuffix(p, "/") && strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// One owner for the schema (docs/ARCHITECTURE.md, "Storage"): no
// production Go file outside package registry (and its internal packages)
// imports database/sql or a SQL driver, imports registrytest, or calls
// registry.OpenSQLForTools. Tests may: they check what was stored.
//
// Three exceptions. registry/registrytest is test support, imported only by
// tests (checked here), and hands them database/sql; internal/testdb, test
// support too, creates and drops each test's PostgreSQL database (server
// administration, no schema). web/loadtest is a
// measurement tool, a main package of its own that is not part of the
// served binary: its floors are what the engine does without Chengxin in
// between (a bare INSERT loop on the same database) and its check that
// every acknowledged record is stored reads the file with a connection of
// its own, neither of which may go through the application it measures.
func TestOnlyRegistryRunsSQL(t *testing.T) {
	allowed := func(dir string) bool {
		return dir == "registry" || strings.HasPrefix(dir, "registry/internal/")
	}
	exceptions := map[string]string{
		"registry/registrytest": "database/sql",
		"internal/testdb":       "github.com/jackc/pgx/v5",
		"web/loadtest":          "*",
	}
	files := 0
	parseRepo(t, parser.ImportsOnly, func(rel string, fset *token.FileSet, f *ast.File) {
		if strings.HasSuffix(rel, "_test.go") {
			return
		}
		files++
		dir := filepath.ToSlash(filepath.Dir(rel))
		if allowed(dir) {
			return
		}
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			switch {
			case path == "chengxin/registry/registrytest" || path == "chengxin/internal/testdb":
				t.Errorf("%s imports %s: only tests may", rel, path)
			case isSQLImport(path):
				if ex := exceptions[dir]; ex != "*" && ex != path {
					t.Errorf("%s imports %s: only package registry runs SQL (add a registry method)", rel, path)
				}
			}
		}
	})
	if files < 100 {
		t.Fatalf("checked only %d files: the walk of the repository is broken", files)
	}
	parseRepo(t, 0, func(rel string, fset *token.FileSet, f *ast.File) {
		dir := filepath.ToSlash(filepath.Dir(rel))
		if strings.HasSuffix(rel, "_test.go") || allowed(dir) || dir == "registry/registrytest" {
			return
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if s, ok := n.(*ast.SelectorExpr); ok && s.Sel.Name == "OpenSQLForTools" {
				t.Errorf("%s: calls OpenSQLForTools, which is for tests and tools", fset.Position(s.Pos()))
			}
			return true
		})
	})
}

// Nor does package registry hand out what runs SQL: no exported function,
// method or field of its non-test files has a database/sql type, except
// OpenSQLForTools (see above).
func TestRegistryAPIHasNoSQLTypes(t *testing.T) {
	checked := 0
	parseRepo(t, 0, func(rel string, fset *token.FileSet, f *ast.File) {
		if filepath.ToSlash(filepath.Dir(rel)) != "registry" || strings.HasSuffix(rel, "_test.go") {
			return
		}
		sqlName := ""
		for _, imp := range f.Imports {
			if strings.Trim(imp.Path.Value, `"`) == "database/sql" {
				sqlName = "sql"
				if imp.Name != nil {
					sqlName = imp.Name.Name
				}
			}
		}
		if sqlName == "" {
			return
		}
		usesSQL := func(n ast.Node) bool {
			found := false
			ast.Inspect(n, func(m ast.Node) bool {
				if s, ok := m.(*ast.SelectorExpr); ok {
					if id, ok := s.X.(*ast.Ident); ok && id.Name == sqlName {
						found = true
					}
				}
				return !found
			})
			return found
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() || d.Name.Name == "OpenSQLForTools" {
					continue
				}
				if d.Recv != nil && !exportedReceiver(d.Recv) {
					continue
				}
				checked++
				if usesSQL(d.Type) {
					t.Errorf("%s: exported %s has a database/sql type in its signature", fset.Position(d.Pos()), d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					ts, ok := s.(*ast.TypeSpec)
					if !ok || !ts.Name.IsExported() {
						continue
					}
					switch typ := ts.Type.(type) {
					case *ast.StructType:
						for _, fld := range typ.Fields.List {
							for _, name := range fld.Names {
								if name.IsExported() && usesSQL(fld.Type) {
									t.Errorf("%s: exported field %s.%s has a database/sql type", fset.Position(fld.Pos()), ts.Name.Name, name.Name)
								}
							}
							if len(fld.Names) == 0 && usesSQL(fld.Type) {
								t.Errorf("%s: %s embeds a database/sql type", fset.Position(fld.Pos()), ts.Name.Name)
							}
						}
					default:
						if usesSQL(ts.Type) {
							t.Errorf("%s: exported type %s is made of a database/sql type", fset.Position(ts.Pos()), ts.Name.Name)
						}
					}
				}
			}
		}
	})
	if checked < 50 {
		t.Fatalf("checked only %d exported functions: the walk is broken", checked)
	}
}

// exportedReceiver: the method's receiver type is exported.
func exportedReceiver(recv *ast.FieldList) bool {
	typ := recv.List[0].Type
	if s, ok := typ.(*ast.StarExpr); ok {
		typ = s.X
	}
	if ix, ok := typ.(*ast.IndexExpr); ok {
		typ = ix.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && id.IsExported()
}
