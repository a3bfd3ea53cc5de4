// Package cli builds a program's command line from its table of commands
// with spf13/cobra: usage, `help COMMAND`, shell completions and manual
// pages come from that one tree. Each command keeps its own flag.FlagSet
// and parses its own arguments; the tree learns a command's flags by
// asking it (Parse), and Go's single-dash long flags (-data DIR) are
// rewritten to pflag's --data before cobra reads them.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"

	"github.com/urna-kiosk/urna/assets"
)

// Command is one line of a program's command table.
type Command struct {
	Name, Short string
	// Long is the command's description in its help and manual page.
	Long string
	// Subs are the words the first argument may be (catalog import|publish):
	// offered by completion, and how the command is asked for its flags.
	Subs []string
	// Run parses args with Parse and does the command.
	Run func(args []string) error
}

// Program is a whole command line: either a table of Commands
// (urna-central, urnactl) or one flag set and Run (urna-kiosk).
type Program struct {
	Name, Short, Long, Version string
	Commands                   []Command
	// Flags and Run are a program without commands.
	Flags *flag.FlagSet
	Run   func(args []string) error
	// Fail prints a command's error for staff and returns the exit status.
	Fail func(command string, err error) int
	// Values are the values flags take, completed instead of file names:
	// "--lang" for the flag in every command, "results --format" for one
	// command's, which wins.
	Values map[string][]string
	// Stdout and Stderr default to os.Stdout and os.Stderr.
	Stdout, Stderr io.Writer
}

// describeArg in a command's arguments makes Parse return its flag set
// instead of parsing: no user types a NUL.
const describeArg = "\x00describe-flags"

// described carries a command's flag set out of its Run.
type described struct{ fs *flag.FlagSet }

func (d *described) Error() string { return "flags described" }

// Parse parses a command's flags: every command of a table parses through
// it, so that its help, manual page and completions know its flags.
func Parse(fs *flag.FlagSet, args []string) error {
	if slices.Contains(args, describeArg) {
		return &described{fs}
	}
	return fs.Parse(args)
}

// FlagsOf asks a command for its flag set without running it; nil if
// it stops before parsing (or parses without Parse).
func FlagsOf(c Command) *flag.FlagSet {
	args := []string{describeArg, describeArg, describeArg}
	if len(c.Subs) > 0 {
		args = append([]string{c.Subs[0]}, args...)
	}
	var d *described
	if err := c.Run(args); errors.As(err, &d) {
		return d.fs
	}
	return nil
}

// UsageError is a command line a command cannot run: words missing or
// too many. Execute says so in the user's language, shows Synopsis (the
// command's forms, as typed) and exits with status 2.
type UsageError struct{ Synopsis string }

func (e *UsageError) Error() string { return "usage: " + e.Synopsis }

// Usage is a *UsageError for a command's forms (urnactl pin-hash PIN).
func Usage(synopsis string) error { return &UsageError{synopsis} }

// cobra's own commands, which reach every command's flags.
var whole = []string{"help", "completion", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd, manCommand}

// manCommand writes the manual pages: hidden, for make man and the .deb build.
const manCommand = "__man"

// flagError is a usage error cobra or pflag found in the arguments.
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

// Tree is the program's cobra tree with every command's flags, for
// manual pages and tests.
func (p Program) Tree() *cobra.Command {
	return p.tree(nil, nil)
}

// tree builds the cobra tree; only commands in flagsFor (all if nil) are
// asked for their flags, and a table command runs with *raw, its own
// arguments as typed (normalized), when raw is not nil.
func (p Program) tree(flagsFor []string, raw *[]string) *cobra.Command {
	root := &cobra.Command{Use: p.Name, Short: p.Short, Long: p.Long, Version: p.Version,
		SilenceErrors: true, SilenceUsage: true, DisableAutoGenTag: true}
	root.SetVersionTemplate("{{.Name}} {{.Version}}\n")
	root.SetOut(p.stdout())
	root.SetErr(p.stderr())
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &flagError{err} })
	if p.Flags != nil {
		root.Flags().AddGoFlagSet(p.Flags)
		p.completeValues(root, "")
		root.RunE = func(cmd *cobra.Command, args []string) error { return p.Run(args) }
	}
	for _, c := range p.Commands {
		leaf := &cobra.Command{Use: c.Name, Short: c.Short, Long: c.Long, ValidArgs: c.Subs}
		if len(c.Subs) > 0 {
			leaf.Use = c.Name + " " + strings.Join(c.Subs, "|")
		}
		if flagsFor == nil || slices.Contains(flagsFor, c.Name) {
			if fs := FlagsOf(c); fs != nil {
				leaf.Flags().AddGoFlagSet(fs)
				p.completeValues(leaf, c.Name)
			}
		}
		run := c.Run
		leaf.RunE = func(cmd *cobra.Command, args []string) error {
			if raw != nil {
				args = *raw
			}
			return run(args)
		}
		leaf.InitDefaultHelpFlag()
		root.AddCommand(leaf)
	}
	root.AddCommand(&cobra.Command{Use: manCommand + " DIR", Short: "write the manual pages into DIR", Hidden: true,
		Args: cobra.ExactArgs(1), RunE: func(cmd *cobra.Command, args []string) error { return p.Man(args[0]) }})
	root.InitDefaultHelpFlag()
	root.InitDefaultVersionFlag()
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	return root
}

// completeValues lets cmd's flags with a fixed list of values complete
// those values.
func (p Program) completeValues(cmd *cobra.Command, name string) {
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		values, ok := p.Values[name+" --"+f.Name]
		if !ok {
			values, ok = p.Values["--"+f.Name]
		}
		if ok {
			_ = cmd.RegisterFlagCompletionFunc(f.Name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
		}
	})
}

// Man writes the program's manual pages (one per command) into dir.
func (p Program) Man(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return doc.GenManTree(p.Tree(), &doc.GenManHeader{Section: "1", Source: "Urna " + p.Version, Manual: "Urna manual"}, dir)
}

func (p Program) stdout() io.Writer {
	if p.Stdout != nil {
		return p.Stdout
	}
	return os.Stdout
}

func (p Program) stderr() io.Writer {
	if p.Stderr != nil {
		return p.Stderr
	}
	return os.Stderr
}

// Execute runs the program with args (os.Args[1:]) and returns its exit
// status: 0, 1 when a command fails, 2 for a usage error.
func (p Program) Execute(args []string) int {
	lang := assets.EnvLanguage(os.Getenv)
	// On Windows, cobra stops a program started from Explorer: the kiosk
	// is started that way, the technician's tool says to use a terminal.
	cobra.MousetrapHelpText = ""
	if p.Flags == nil {
		cobra.MousetrapHelpText = assets.MustMessages().T(lang, "cli.use_terminal", "program", p.Name) + "\n"
	}
	if len(args) == 0 && p.Flags == nil {
		root := p.tree([]string{}, nil)
		root.SetOut(p.stderr())
		root.Usage()
		return 2
	}
	// Which command runs decides whose flags the tree needs: only its own,
	// unless help or completion asks about them all.
	probe := p.tree([]string{}, nil)
	typed := args
	args = Normalize(args, probe.Flags())
	target, _, err := probe.Find(args)
	var flagsFor []string
	switch {
	case len(args) > 1 && args[0] == "help" && !strings.HasPrefix(args[1], "-") && !p.has(args[1]):
		fmt.Fprintln(p.stderr(), assets.MustMessages().T(lang, "cli.unknown_command",
			"program", p.Name, "command", args[1], "help", p.Name+" --help"))
		return 2
	case slices.Contains(whole, firstWord(args)):
	case err != nil && target == probe:
		fmt.Fprintln(p.stderr(), assets.MustMessages().T(lang, "cli.unknown_command",
			"program", p.Name, "command", firstWord(args), "help", p.Name+" --help"))
		return 2
	case target != probe:
		flagsFor = []string{target.Name()}
	}
	var raw []string
	root := p.tree(flagsFor, &raw)
	leaf, _, _ := root.Find(args)
	if complete := firstWord(args); len(args) > 1 && (complete == cobra.ShellCompRequestCmd || complete == cobra.ShellCompNoDescRequestCmd) {
		// __complete WORDS…: the words are a command line being typed,
		// spelled as the user spells it; the last one, the word being
		// completed, stays as typed for the shell to match.
		i := slices.Index(args, complete) + 1
		if words := args[i:]; len(words) > 0 {
			line := Normalize(typed[i:len(args)-1], root.Flags())
			cmd, _, _ := root.Find(line)
			line = Normalize(typed[i:len(args)-1], root.Flags(), cmd.Flags())
			args = slices.Concat(args[:i], line, typed[len(args)-1:])
		}
	} else {
		args = Normalize(typed, root.Flags(), leaf.Flags())
	}
	if _, rest, err := root.Find(args); err == nil {
		raw = rest
	}
	root.SetArgs(args)
	err = root.Execute()
	var (
		usage    *flagError
		synopsis *UsageError
	)
	switch {
	case err == nil:
		return 0
	case errors.As(err, &synopsis):
		fmt.Fprintln(p.stderr(), assets.MustMessages().T(lang, "cli.usage", "help", p.Name+" "+leaf.Name()+" --help"))
		fmt.Fprintln(p.stderr(), "  "+synopsis.Synopsis)
		return 2
	case errors.As(err, &usage):
		help := p.Name + " --help"
		if leaf != root {
			help = p.Name + " " + leaf.Name() + " --help"
		}
		fmt.Fprintln(p.stderr(), flagSentence(lang, usage.err, help, typed))
		return 2
	case leaf == root:
		return p.Fail("", err)
	}
	return p.Fail(leaf.Name(), err)
}

// has: name is one of the program's commands, or cobra's.
func (p Program) has(name string) bool {
	for _, c := range p.Commands {
		if c.Name == name {
			return true
		}
	}
	return slices.Contains(whole, name)
}

func firstWord(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

// flagSentence is a usage error as a sentence in lang.
func flagSentence(lang string, err error, help string, typed []string) string {
	msgs := assets.MustMessages()
	var (
		notExist *pflag.NotExistError
		needs    *pflag.ValueRequiredError
		invalid  *pflag.InvalidValueError
	)
	switch {
	case errors.As(err, &notExist):
		return msgs.T(lang, "cli.unknown_flag", "flag", asTyped(dashed(notExist.GetSpecifiedName(), notExist.GetSpecifiedShortnames()), typed), "help", help)
	case errors.As(err, &needs):
		return msgs.T(lang, "cli.flag_needs_value", "flag", dashed(needs.GetSpecifiedName(), needs.GetSpecifiedShortnames()), "help", help)
	case errors.As(err, &invalid):
		return msgs.T(lang, "cli.flag_bad_value", "flag", "--"+invalid.GetFlag().Name, "value", invalid.GetValue(), "help", help)
	}
	return msgs.T(lang, "cli.usage", "help", help)
}

// asTyped is --name as the user typed it: -name in Go's spelling.
func asTyped(flag string, typed []string) string {
	single := strings.TrimPrefix(flag, "-")
	for _, a := range typed {
		if a == "--" {
			break
		}
		if a == single || strings.HasPrefix(a, single+"=") {
			return single
		}
	}
	return flag
}

// dashed names a flag as typed: pflag reads an unknown -json as the
// shorthands j, s, o, n and names j; short is then the word typed.
func dashed(name, short string) string {
	if short, _, _ = strings.Cut(short, "="); short != "" {
		return "-" + short
	}
	return "--" + name
}

// Normalize rewrites Go's single-dash long flags (-data DIR, -data=DIR)
// to --data for pflag, for the flags the sets know; "-" alone, values of
// flags, and everything after "--" stay as they are.
func Normalize(args []string, sets ...*pflag.FlagSet) []string {
	lookup := func(name string) *pflag.Flag {
		for _, s := range sets {
			if f := s.Lookup(name); f != nil {
				return f
			}
		}
		return nil
	}
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			out = append(out, a)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := lookup(name)
		if !strings.HasPrefix(a, "--") && len(name) > 1 {
			// unknown ones too: pflag would read -no-such as -n o-such
			a = "-" + a
		}
		out = append(out, a)
		if f != nil && !hasValue && f.NoOptDefVal == "" && i+1 < len(args) {
			// the flag's value, even if it starts with a dash
			i++
			out = append(out, args[i])
		}
	}
	return out
}
