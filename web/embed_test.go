package web

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDemoHoldsThePagesAndTheClient(t *testing.T) {
	for _, name := range []string{"index.html", "desk.js", "desk.css", "i18n.js", "client/idagent.js", "client/cccd.js", "client/errors.js", "client/messages.js", "client/words.js"} {
		b, err := fs.ReadFile(Demo, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(b) == 0 {
			t.Fatalf("%s is empty", name)
		}
	}
	for _, name := range []string{"client/package.json", "client/test/cccd.test.js", "client/README.md", "../embed.go", "/etc/passwd"} {
		if _, err := fs.ReadFile(Demo, name); err == nil {
			t.Errorf("%s is served, want only run-time files", name)
		}
	}
}

func TestHandlerServesModulesWithJavaScriptType(t *testing.T) {
	srv := httptest.NewServer(http.StripPrefix("/demo", Handler()))
	defer srv.Close()
	for path, want := range map[string]string{
		"/demo/":                  "text/html",
		"/demo/client/idagent.js": "javascript",
		"/demo/desk.js":           "javascript",
		"/demo/desk.css":          "text/css",
	} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), want) || len(body) == 0 {
			t.Errorf("GET %s: %d %q (%d bytes), want 200 %s", path, res.StatusCode, res.Header.Get("Content-Type"), len(body), want)
		}
	}
	res, err := http.Get(srv.URL + "/demo/client/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("directory listing: %d, want 404", res.StatusCode)
	}
}

func TestClientHandlerServesOnlyTheModules(t *testing.T) {
	srv := httptest.NewServer(http.StripPrefix("/v1/client", ClientHandler()))
	defer srv.Close()
	for _, name := range []string{"idagent.js", "errors.js", "cccd.js", "messages.js", "words.js"} {
		res, err := http.Get(srv.URL + "/v1/client/" + name)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "javascript") || len(body) == 0 {
			t.Errorf("GET %s: %d %q", name, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	for _, path := range []string{"/v1/client/", "/v1/client/package.json", "/v1/client/desk.js", "/v1/client/test/"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", path, res.StatusCode)
		}
	}
}
