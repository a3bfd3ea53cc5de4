package cli

import (
	"flag"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestNormalize: Go's single-dash long flags become pflag's double-dash
// ones, and nothing else changes.
func TestNormalize(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.String("data", "", "")
	fs.String("reason", "", "")
	fs.Bool("insecure-http", false, "")
	fs.Int("n", 0, "")
	ps := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	ps.AddGoFlagSet(fs)
	for in, want := range map[string]string{
		"serve -data DIR":                "serve --data DIR",
		"serve -data=DIR":                "serve --data=DIR",
		"serve --data DIR":               "serve --data DIR",
		"serve -insecure-http -data D":   "serve --insecure-http --data D",
		"serve -insecure-http=false":     "serve --insecure-http=false",
		"serve -n 5 -n=6":                "serve -n 5 -n=6",
		"signoff k -reason -data":        "signoff k --reason -data",
		"import - -data D":               "import - --data D",
		"import -data D -- -data -x":     "import --data D -- -data -x",
		"serve -unknown -data D":         "serve --unknown --data D",
		"serve -no-such=1 -n 2":          "serve --no-such=1 -n 2",
		"serve -h":                       "serve -h",
		"serve -data":                    "serve --data",
		"replay file.pb -data=a=b -data": "replay file.pb --data=a=b --data",
	} {
		if got := strings.Join(Normalize(strings.Fields(in), ps), " "); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// TestParseDescribes: a command asked for its flags returns them without
// running, and parses normally otherwise.
func TestParseDescribes(t *testing.T) {
	ran := false
	c := Command{Name: "kiosk", Subs: []string{"list", "revoke"}, Run: func(args []string) error {
		if len(args) == 0 || !slices.Contains([]string{"list", "revoke"}, args[0]) {
			return flag.ErrHelp // a usage error before its flags
		}
		fs := flag.NewFlagSet("kiosk", flag.ContinueOnError)
		fs.String("data", "/var/lib/urna-central", "data folder")
		if err := Parse(fs, args[1:]); err != nil {
			return err
		}
		ran = true
		return nil
	}}
	fs := FlagsOf(c)
	if fs == nil || fs.Lookup("data") == nil || ran {
		t.Fatalf("FlagsOf: %v, ran %v", fs, ran)
	}
	if err := c.Run([]string{"list", "--data", "x"}); err != nil || !ran {
		t.Fatalf("run: %v, ran %v", err, ran)
	}
}
