package web

import (
	"fmt"
	"os"
	"regexp"
	"testing"

	"github.com/idagent/idagent/agent/protocol"
)

// TestClientKnowsEveryErrorCode keeps the JS client in step with the
// agent's error codes: each is in ErrorCode (errors.js), in its type
// (idagent.d.ts) and has a sentence for the clerk (messages.js), so a new
// code never reaches a desk as "something went wrong".
func TestClientKnowsEveryErrorCode(t *testing.T) {
	for _, f := range []struct{ file, pattern string }{
		{"client/errors.js", `(?m)^\s*%s: '%s',$`},
		{"client/idagent.d.ts", `(?m)^\s*readonly %s: '%s';$`},
		{"client/messages.js", `(?m)^\s*%s: \[`},
	} {
		src, err := os.ReadFile(f.file)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range protocol.AllCodes {
			var re *regexp.Regexp
			if f.file == "client/messages.js" {
				re = regexp.MustCompile(fmt.Sprintf(f.pattern, c))
			} else {
				re = regexp.MustCompile(fmt.Sprintf(f.pattern, c, c))
			}
			if !re.Match(src) {
				t.Errorf("%s lacks the agent's error code %s", f.file, c)
			}
		}
	}
}
