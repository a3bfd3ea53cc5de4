// Package clitest checks a program's command line against the
// conventions every Urna command keeps: usage and help on standard output
// with status 0, unknown commands as a sentence with status 2, every
// command's flags known to help, completion and manual pages, and Go's
// single-dash spelling of each flag accepted.
package clitest

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/urna-kiosk/urna/internal/cli"
)

// Run is p.Execute(args) with its output captured.
func Run(p cli.Program, args ...string) (code int, stdout, stderr string) {
	var out, errs bytes.Buffer
	p.Stdout, p.Stderr = &out, &errs
	code = p.Execute(args)
	return code, out.String(), errs.String()
}

// Conventions checks p; the messages are read in Polish.
func Conventions(t *testing.T, p cli.Program) {
	t.Helper()
	for _, v := range []string{"LC_ALL", "LC_MESSAGES"} {
		t.Setenv(v, "")
	}
	t.Setenv("LANG", "pl_PL.UTF-8")
	t.Run("help", func(t *testing.T) {
		for _, args := range [][]string{{"--help"}, {"-h"}, {"-help"}, {"help"}} {
			code, out, errs := Run(p, args...)
			if code != 0 || errs != "" || !strings.Contains(out, "Usage:") {
				t.Errorf("%s %v: status %d, stdout %q, stderr %q", p.Name, args, code, out, errs)
			}
			for _, c := range p.Commands {
				if !strings.Contains(out, "\n  "+c.Name+" ") {
					t.Errorf("%s %v does not list %s:\n%s", p.Name, args, c.Name, out)
				}
			}
		}
		for _, c := range p.Commands {
			code, out, errs := Run(p, "help", c.Name)
			if code != 0 || errs != "" || !strings.Contains(out, p.Name+" "+c.Name) {
				t.Errorf("%s help %s: status %d, stdout %q, stderr %q", p.Name, c.Name, code, out, errs)
			}
		}
	})
	t.Run("unknown", func(t *testing.T) {
		code, out, errs := Run(p, "no-such-command")
		if code != 2 || out != "" || !strings.Contains(errs, "nie ma polecenia no-such-command") {
			t.Errorf("%s no-such-command: status %d, stdout %q, stderr %q", p.Name, code, out, errs)
		}
		code, out, errs = Run(p, "help", "no-such-command")
		if code != 2 || out != "" || !strings.Contains(errs, "nie ma polecenia no-such-command") {
			t.Errorf("%s help no-such-command: status %d, stdout %q, stderr %q", p.Name, code, out, errs)
		}
		code, out, errs = Run(p, "--no-such-flag")
		if code != 2 || out != "" || !strings.Contains(errs, "Tu nie ma opcji --no-such-flag") {
			t.Errorf("%s --no-such-flag: status %d, stdout %q, stderr %q", p.Name, code, out, errs)
		}
		// Go's spelling of an unknown flag is named as typed, not as
		// the shorthand pflag reads first (-n of -no-such-flag).
		code, out, errs = Run(p, "-no-such-flag")
		if code != 2 || out != "" || !strings.Contains(errs, "Tu nie ma opcji -no-such-flag.") {
			t.Errorf("%s -no-such-flag: status %d, stdout %q, stderr %q", p.Name, code, out, errs)
		}
		for _, c := range p.Commands {
			args := append([]string{c.Name}, c.Subs...)[:min(2, 1+len(c.Subs))]
			args = append(args, "-no-such-flag=1")
			code, out, errs = Run(p, args...)
			if code != 2 || out != "" || !strings.Contains(errs, "Tu nie ma opcji -no-such-flag.") {
				t.Errorf("%s %v: status %d, stdout %q, stderr %q", p.Name, args, code, out, errs)
			}
		}
		if len(p.Commands) > 0 {
			if code, out, errs := Run(p, "help", "--help"); code != 0 || errs != "" || !strings.Contains(out, p.Name+" help") {
				t.Errorf("%s help --help: status %d, stdout %q, stderr %q", p.Name, code, out, errs)
			}
		}
		if len(p.Commands) > 0 {
			if code, _, errs := Run(p); code != 2 || !strings.Contains(errs, "Usage:") {
				t.Errorf("%s without a command: status %d, stderr %q", p.Name, code, errs)
			}
		}
	})
	t.Run("version", func(t *testing.T) {
		for _, flag := range []string{"--version", "-version"} {
			if code, out, _ := Run(p, flag); code != 0 || out != p.Name+" "+p.Version+"\n" {
				t.Errorf("%s %s: status %d, %q", p.Name, flag, code, out)
			}
		}
	})
	t.Run("flags", func(t *testing.T) {
		for _, c := range p.Commands {
			fs := cli.FlagsOf(c)
			if fs == nil {
				t.Errorf("%s %s does not parse its flags with cli.Parse: its help, manual page and completions cannot know them", p.Name, c.Name)
				continue
			}
			var prefix []string
			if len(c.Subs) > 0 {
				prefix = []string{c.Subs[0]}
			}
			fs.VisitAll(func(f *flag.Flag) { singleDash(t, p, append([]string{c.Name}, prefix...), f) })
		}
		if p.Flags != nil {
			p.Flags.VisitAll(func(f *flag.Flag) { singleDash(t, p, nil, f) })
		}
	})
	t.Run("completion", func(t *testing.T) {
		for shell, mark := range map[string]string{"bash": "complete -o default -F __start_" + p.Name + " " + p.Name,
			"zsh": "#compdef " + p.Name, "fish": "complete -c " + p.Name} {
			code, out, errs := Run(p, "completion", shell)
			if code != 0 || errs != "" || !strings.Contains(out, mark) {
				t.Errorf("%s completion %s: status %d, stderr %q, no %q", p.Name, shell, code, errs, mark)
			}
		}
		for flag, values := range p.Values {
			if p.Flags != nil && strings.HasPrefix(flag, "--") {
				_, out, _ := Run(p, "__complete", "-"+strings.TrimPrefix(flag, "--"), "")
				for _, v := range values {
					if !strings.Contains("\n"+out, "\n"+v+"\n") || !strings.HasSuffix(out, ":4\n") {
						t.Errorf("%s %s <TAB> does not offer %s: %q", p.Name, flag, v, out)
					}
				}
			}
		}
		for _, c := range p.Commands {
			_, out, _ := Run(p, "__complete", c.Name, "--")
			if fs := cli.FlagsOf(c); fs != nil {
				fs.VisitAll(func(f *flag.Flag) {
					if !strings.Contains(out, "--"+f.Name+"\t") {
						t.Errorf("%s %s --<TAB> does not offer --%s:\n%s", p.Name, c.Name, f.Name, out)
					}
				})
			}
			// After a flag spelled Go's way, the next word completes
			// (bash and fish ask __complete with the words as typed).
			if fs := cli.FlagsOf(c); fs != nil {
				fs.VisitAll(func(f *flag.Flag) {
					args := []string{"__complete", c.Name}
					if len(c.Subs) > 0 {
						args = append(args, c.Subs[0])
					}
					if kind(f) == "bool" {
						args = append(args, "-"+f.Name, "")
					} else {
						args = append(args, "-"+f.Name, valueFor(f), "")
					}
					_, out, errs := Run(p, args...)
					if strings.Contains(errs, "rror") || strings.Contains(out, "\n:1\n") || !strings.Contains(out, ":") {
						t.Errorf("%s %v: stdout %q, stderr %q", p.Name, args, out, errs)
					}
				})
			}
			// A flag with a fixed list of values completes them, not
			// file names (directive 4: no file completion).
			if fs := cli.FlagsOf(c); fs != nil {
				fs.VisitAll(func(f *flag.Flag) {
					values, ok := p.Values[c.Name+" --"+f.Name]
					if !ok {
						values, ok = p.Values["--"+f.Name]
					}
					if !ok {
						return
					}
					args := []string{"__complete", c.Name}
					if len(c.Subs) > 0 {
						args = append(args, c.Subs[0])
					}
					args = append(args, "-"+f.Name, "")
					_, out, _ := Run(p, args...)
					if !strings.HasSuffix(out, ":4\n") {
						t.Errorf("%s %v offers files: %q", p.Name, args, out)
					}
					for _, v := range values {
						if !strings.Contains("\n"+out, "\n"+v+"\n") {
							t.Errorf("%s %v does not offer %s: %q", p.Name, args, v, out)
						}
					}
				})
			}
			_, out, _ = Run(p, "__complete", c.Name, "")
			for _, s := range c.Subs {
				if !strings.Contains(out, "\n"+s+"\n") && !strings.HasPrefix(out, s+"\n") {
					t.Errorf("%s %s <TAB> does not offer %s:\n%s", p.Name, c.Name, s, out)
				}
			}
		}
	})
	t.Run("man", func(t *testing.T) {
		dir := t.TempDir()
		if err := p.Man(dir); err != nil {
			t.Fatal(err)
		}
		page := func(name string, fs *flag.FlagSet) {
			raw, err := os.ReadFile(filepath.Join(dir, name+".1"))
			if err != nil {
				t.Error(err)
				return
			}
			if !strings.Contains(string(raw), ".TH \""+strings.ToUpper(name)+"\" \"1\"") {
				t.Errorf("%s.1 has no .TH line: %.60q", name, raw)
			}
			if fs != nil {
				fs.VisitAll(func(f *flag.Flag) {
					if !strings.Contains(string(raw), `\fB--`+f.Name+`\fP`) {
						t.Errorf("%s.1 does not describe --%s", name, f.Name)
					}
				})
			}
		}
		page(p.Name, p.Flags)
		for _, c := range p.Commands {
			page(p.Name+"-"+c.Name, cli.FlagsOf(c))
		}
		// The same pages whoever builds the package, wherever.
		t.Setenv("SOURCE_DATE_EPOCH", "1764547200")
		var built [2]map[string]string
		for i, user := range []string{"anna", "builder"} {
			t.Setenv("USER", user)
			t.Setenv("HOME", filepath.Join("/home", user))
			d := t.TempDir()
			if err := p.Man(d); err != nil {
				t.Fatal(err)
			}
			built[i] = map[string]string{}
			files, _ := filepath.Glob(filepath.Join(d, "*.1"))
			for _, f := range files {
				raw, _ := os.ReadFile(f)
				built[i][filepath.Base(f)] = string(raw)
			}
		}
		for name, page := range built[0] {
			if built[1][name] != page {
				t.Errorf("%s differs with who builds it:\n%s\n---\n%s", name, page, built[1][name])
			}
		}
	})
}

// singleDash checks that -name VALUE and -name=VALUE reach cobra as
// --name: with --help after them the command shows its help and runs nothing.
func singleDash(t *testing.T, p cli.Program, command []string, f *flag.Flag) {
	t.Helper()
	value := valueFor(f)
	spellings := [][]string{{"-" + f.Name, value}, {"-" + f.Name + "=" + value}}
	if kind(f) == "bool" {
		spellings = [][]string{{"-" + f.Name}, {"-" + f.Name + "=true"}}
	}
	for _, s := range spellings {
		args := append(append(append([]string{}, command...), s...), "--help")
		if code, out, errs := Run(p, args...); code != 0 || !strings.Contains(out, "--"+f.Name) {
			t.Errorf("%s %v: status %d, stderr %q", p.Name, args, code, errs)
		}
	}
}

// valueFor is a value f takes.
func valueFor(f *flag.Flag) string {
	if v := map[string]string{"int": "1", "int64": "1", "uint": "1", "uint64": "1", "float64": "1", "duration": "1s"}[kind(f)]; v != "" {
		return v
	}
	return "x"
}

// kind is a flag's type as pflag names it: bool, int, string, duration…
func kind(f *flag.Flag) string {
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return "bool"
	}
	t := reflect.TypeOf(f.Value)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return strings.TrimSuffix(t.Name(), "Value")
}
