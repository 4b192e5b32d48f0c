// Package web holds idagent's browser side: the JavaScript client
// (client/, published to npm as @idagent/client) and the desk pages
// (demo/). The agent embeds both and serves them at /demo/ (docs/PROTOCOL.md
// §7): the pages at the root of Demo, the client module under client/, so a
// page imports it as "./client/idagent.js".
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
//go:embed client/idagent.js client/errors.js client/cccd.js client/messages.js
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

// Handler serves Demo (mount it with http.StripPrefix("/demo", ...)).
// Directory listings are refused: only files are served.
func Handler() http.Handler {
	fileServer := http.FileServer(http.FS(Demo))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p != "/" && strings.HasSuffix(p, "/") {
			http.NotFound(w, r)
			return
		}
		fileServer.ServeHTTP(w, r)
	})
}
