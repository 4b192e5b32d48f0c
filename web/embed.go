// Package web holds idagent's browser side: the JavaScript client
// (client/, packed for npm as @idagent/client) and the desk pages (demo/).
// The agent embeds both: it serves the pages at /demo/ (the client module
// under /demo/client/, so a page imports it as "./client/idagent.js") and
// the client alone at /v1/client/ for desk applications of allowed origins
// (docs/PROTOCOL.md §7).
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// Only the files a browser loads at run time: no tests, no package
// metadata.
//
//go:embed demo/*.html demo/*.css demo/*.js demo/*.svg
//go:embed client/idagent.js client/errors.js client/cccd.js client/messages.js client/words.js
var files embed.FS

// Demo is the file tree served at /demo/: index.html and its assets at the
// root, the client module at client/idagent.js (with its imports beside it).
var Demo fs.FS = demoFS{}

type demoFS struct{}

// Open maps client/... to the embedded client files and everything else to
// demo/... .
func (demoFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if name == "client" || strings.HasPrefix(name, "client/") {
		return files.Open(name)
	}
	return files.Open(path.Join("demo", name))
}

// Client is the file tree served at /v1/client/: the client's modules.
var Client fs.FS = mustSub(files, "client")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // dir is a literal of this package
	}
	return sub
}

// ClientHandler serves Client (mount it with http.StripPrefix("/v1/client",
// ...)). Only files are served, no directory listings.
func ClientHandler() http.Handler { return filesOnly(Client) }

// Handler serves Demo (mount it with http.StripPrefix("/demo", ...)).
// Directory listings are refused: only files are served.
func Handler() http.Handler { return filesOnly(Demo) }

// filesOnly serves the files of fsys, and a directory only through its
// index.html: never a listing.
func filesOnly(fsys fs.FS) http.Handler {
	fileServer := http.FileServer(http.FS(fsys))
	_, err := fs.Stat(fsys, "index.html")
	hasIndex := err == nil
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if strings.HasSuffix(p, "/") && (p != "/" || !hasIndex) {
			http.NotFound(w, r)
			return
		}
		fileServer.ServeHTTP(w, r)
	})
}
