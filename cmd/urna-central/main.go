// Command urna-central is the central server and its administration:
// keys, catalogs, enrollment codes, serving the API, ballots in and out.
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"golang.org/x/crypto/bcrypt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/atomicfile"
	"github.com/urna-kiosk/urna/internal/boltfile"
	"github.com/urna-kiosk/urna/internal/cli"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/limit"
	"github.com/urna-kiosk/urna/sync/central/proposals"
	"github.com/urna-kiosk/urna/sync/central/staff"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
)

var version = "dev"

type command struct {
	summary string
	run     func(args []string) error
}

var commands = map[string]command{
	"init":           {"create the edition's signing key and voter-key secret", cmdInit},
	"catalog":        {"catalog import FILE (edition JSON or projects CSV) | catalog publish", cmdCatalog},
	"enroll-code":    {"make a one-time enrollment code for a venue", cmdEnrollCode},
	"kiosk":          {"kiosk list | kiosk revoke ID | kiosk set-aside ID | kiosk release ID: the enrolled kiosks; refuse a stolen or lost one from now on; hold a kiosk's ballots for review", cmdKiosk},
	"serve":          {"serve the API to kiosks", cmdServe},
	"export":         {"export ballots --format jsonl|csv", cmdExport},
	"import-ballots": {"import sealed ballots carried by USB (idempotent with online sync)", cmdImport},
	"replay":         {"replay a Pabulib .pb file without a server", cmdReplay},
	"user":           {"user add NAME: a city staff sign-in for the dashboard (password on standard input)", cmdUser},
	"results":        {"tally the counted ballots: --format json|csv|pdf|pabulib|open-data", cmdResults},
	"backup":         {"backup FILE: the keys, secrets, sign-ins and a copy of the store in one archive", cmdBackup},
	"signoff":        {"signoff KIOSK --reason TEXT: sign off a voting point that does not reconcile", cmdSignOff},
	"verify-results": {"verify-results FILE --key-fingerprint FP: check signed results against the printed key fingerprint", cmdVerifyResults},
	"restore":        {"restore FILE: a backup into a new data folder and an empty store", cmdRestore},
	"salvage":        {"copy every ballot that can still be read and verified from a damaged central.db into a new store", cmdSalvage},
	"proposals":      {"proposals list | build | export --format csv|json | results --pool POOL --out FILE | forget-contacts: residents' proposals", cmdProposals},
	"voter-codes":    {"voter-codes issue --n N: letters with new voter codes; only their keyed hashes are kept", cmdVoterCodes},
	"register":       {"register import FILE: the city's register (PESELs), kept as keyed hashes", cmdRegister},
	"audit":          {"recount from the signed ballots and check every kiosk's chain", cmdAudit},
	"tracking":       {"tracking import FILE | tracking sign --out FILE: the winning projects' implementation (the city's CSV sheet; signed for the kiosks)", cmdTracking},
}

// subcommands are the words some commands take first, for completion
// and for asking a command its flags.
var subcommands = map[string][]string{
	"catalog":     {"import", "publish"},
	"kiosk":       {"list", "revoke", "set-aside", "release"},
	"export":      {"ballots"},
	"user":        {"add"},
	"proposals":   {"list", "build", "export", "results", "forget-contacts"},
	"voter-codes": {"issue"},
	"register":    {"import"},
	"tracking":    {"import", "sign"},
}

// details describe commands at length, in their help and manual pages.
var details = map[string]string{
	"init":           "Create the edition's signing key and the voter-key secret (mode 0600).",
	"catalog":        "catalog import FILE reads an edition (JSON) or its projects (CSV) into the draft; errors name the line and field.\n\ncatalog publish signs the draft as the next catalog version. A data folder serves one edition: once it has ballots, another edition needs init in a new folder (a new voter-key secret) and a new store.",
	"enroll-code":    "Print a one-time enrollment code for a venue (--venue), valid 24 hours by default (--ttl).",
	"kiosk":          "kiosk list lists the enrolled kiosks with their venue, last contact and state.\n\nkiosk revoke ID revokes a stolen or lost kiosk: its requests and ballots are refused from then on.\n\nkiosk set-aside ID sets a kiosk's ballots aside for review without revoking it: none of them counts, and each of its voters' other ballots counts instead; kiosk release ID makes them count again by the earliest rule.",
	"serve":          "Serve the kiosk API, the public check (/check), the dashboard (/dashboard) and /metrics. HTTPS with --tls-cert/--tls-key, or a self-signed certificate whose fingerprint kiosks pin; --insecure-http only for loopback demos.\n\n/metrics answers only on --metrics-listen ADDR (plain HTTP, for loopback or the monitoring network), or on the main listener to requests carrying the token kept in --metrics-token-file FILE (Authorization: Bearer). Behind load balancers, --trusted-proxy CIDR,... names them, so that rate limits count the client named in X-Forwarded-For instead of the balancer.",
	"export":         "Write the stored ballots (--format jsonl or csv).",
	"import-ballots": "Take in sealed ballots carried from an offline kiosk on a USB stick; idempotent with online sync.",
	"results":        "Tally the counted ballots and allocate each pool's money by the edition's rule, breaking ties by its tie rule and saying when a tie decided a winner; --seed is the public tie lottery's seed. pabulib writes one pool (--pool) as a Pabulib file; open-data writes into the folder --out one anonymised, shuffled Pabulib file per pool and the list of counted trackers. The results come with an audit (see audit); when it does not agree they are marked unverified and the differences are printed.\n\nresults --sign --out FILE writes the results as a document signed with the edition key, with the state they are in (provisional, unverified or final: final when every voting point is reconciled or signed off and the recount from the signed ballots agrees).",
	"audit":          "Recount from the stored signed ballots: every signature verified under its kiosk's key, de-duplication re-run, the recount compared with the fast tally, every kiosk's chain (revoked ones too) checked against the head it committed to. Prints counts per kiosk and chain state; exits 1 when anything disagrees.",
	"voter-codes":    "Issue voter codes as printable letters (--format text or pdf, --out FILE). The central keeps only their keyed hashes; under issued-codes admission it refuses codes it never issued.",
	"register":       "Load the city's register (one PESEL a line) as keyed hashes under the edition's secret; under register admission, ballots of voters not in it are held for review.",
	"proposals":      "proposals list lists the residents' proposals of the draft edition with their pool, status and cost.\n\nproposals build turns the proposals that passed the checks (or were restored by the council) into the draft edition's projects, numbered by its template, for catalog publish; once.\n\nproposals export --format csv|json writes the proposals with their outcomes as open data (no contacts, no trackers).\n\nproposals forget-contacts deletes the applicants' sealed contacts once the edition's last phase has ended (serve does it when it starts and every hour).",
	"replay":         "Replay a Pabulib file without a server and compare with its published winners; ties keep the file's order (--tie and --seed try another rule) and are reported.",
	"backup":         "Write the keys and secrets, the certificate, the sign-ins, the draft edition and a consistent copy of the store (bbolt's file; PostgreSQL through pg_dump) into one archive, written atomically, readable by its owner only. While serve runs on a bbolt store, the copy comes from it over DATA/backup.sock.",
	"restore":        "Put a backup into a new data folder and an empty store (--db); it never overwrites keys or a store.",
	"salvage":        "Copy the kiosks, verified catalogs and every ballot that verifies under its kiosk's key from a damaged bbolt central.db into a new store, and report each kiosk's missing numbers; --replace puts it in place and keeps the damaged file.",
	"user":           "Add a city office sign-in for the dashboard; the password is read from standard input.",
	"verify-results": "Check a signed results document against the edition key's fingerprint as printed on the opening and closing reports and the posters; needs no server.",
	"signoff":        "Sign off a voting point whose closing report does not reconcile with the ballots the central holds; the reason, who and when are recorded and shown on the dashboard.",
}

const long = `urna-central enrolls kiosks, publishes signed catalogs, takes in the sealed ballots the kiosks send,
counts each voter once (the earliest ballot), tallies the results, and serves the public ballot check
and the city office's dashboard in Polish, English and Ukrainian.

The store is a bbolt file in the data folder by default (bolt:DATA/central.db), or a PostgreSQL
database (postgres://...) shared by several replicas.

Files: /var/lib/urna-central holds the keys, draft edition, certificate and the bbolt store;
/etc/urna/central.env holds the options of the systemd service;
/usr/share/doc/urna-central/install.md is the installation guide.`

func main() {
	os.Exit(program().Execute(os.Args[1:]))
}

// program is urna-central's command line, built from the commands table.
func program() cli.Program {
	p := cli.Program{Name: "urna-central", Short: "central server of the Urna civic-budget voting kiosks", Long: long,
		Version: version, Fail: fail}
	for name, c := range commands {
		p.Commands = append(p.Commands, cli.Command{Name: name, Short: c.summary, Long: details[name], Subs: subcommands[name], Run: c.run})
	}
	sort.Slice(p.Commands, func(i, j int) bool { return p.Commands[i].Name < p.Commands[j].Name })
	return p
}

// fail tells staff why a command failed and returns the exit status.
func fail(name string, err error) int {
	var s *said
	if errors.As(err, &s) {
		fmt.Fprintln(os.Stderr, "urna-central "+name+":", sentence(assets.EnvLanguage(os.Getenv), s))
		return 1
	}
	fmt.Fprintln(os.Stderr, "urna-central "+name+":", err)
	var damaged *boltfile.DamagedError
	if errors.As(err, &damaged) {
		fmt.Fprintln(os.Stderr, assets.MustMessages().T(assets.EnvLanguage(os.Getenv), damaged.Key,
			"path", damaged.Path, "salvage", "urna-central salvage"))
	}
	return 1
}

// flags common to the commands.
type common struct {
	data, db string
}

func (c *common) add(fs *flag.FlagSet) {
	fs.StringVar(&c.data, "data", "/var/lib/urna-central", "data folder (keys, draft edition, certificate)")
	fs.StringVar(&c.db, "db", "", "store: bolt:PATH or postgres://… (default bolt:DATA/central.db)")
}

func (c *common) open(ctx context.Context) (store.Store, error) {
	if c.db == "" {
		c.db = "bolt:" + c.data + "/central.db"
	}
	return store.Open(ctx, c.db)
}

func cmdInit(args []string) error {
	var c common
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	c.add(fs)
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if err := central.Init(c.data); err != nil {
		return err
	}
	fmt.Println("keys created in", c.data)
	return nil
}

func cmdCatalog(args []string) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "publish") {
		return errors.New("usage: urna-central catalog import FILE | catalog publish")
	}
	var c common
	fs := flag.NewFlagSet("catalog", flag.ContinueOnError)
	c.add(fs)
	if err := cli.Parse(fs, args[1:]); err != nil {
		return err
	}
	ctx := context.Background()
	if args[0] == "import" {
		if fs.NArg() != 1 {
			return errors.New("usage: urna-central catalog import [--data DIR] FILE.json|FILE.csv")
		}
		ed, err := central.ImportCatalog(c.data, fs.Arg(0))
		if err != nil {
			return err
		}
		fmt.Printf("draft edition %s: %d pools, %d projects, %d venues\n", ed.ID, len(ed.Pools), len(ed.Projects), len(ed.Venues))
		return nil
	}
	keys, err := central.LoadKeys(c.data)
	if err != nil {
		return err
	}
	draft, err := os.ReadFile(c.data + "/" + central.FileDraft)
	if err != nil {
		return fmt.Errorf("no draft edition: run catalog import first (%w)", err)
	}
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	v, err := central.Publish(ctx, st, keys, draft)
	if err != nil {
		return err
	}
	fmt.Println("published catalog version", v)
	return nil
}

func cmdEnrollCode(args []string) error {
	var c common
	fs := flag.NewFlagSet("enroll-code", flag.ContinueOnError)
	c.add(fs)
	venue := fs.String("venue", "", "venue id")
	ttl := fs.Duration("ttl", 24*time.Hour, "how long the code stays valid")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *venue == "" {
		return errors.New("--venue is required")
	}
	ctx := context.Background()
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	code, err := central.NewEnrollCode(ctx, st, *venue, *ttl, time.Now())
	if err != nil {
		return err
	}
	fmt.Println(code)
	return nil
}

func cmdKiosk(args []string) error {
	const use = "usage: urna-central kiosk list | kiosk revoke|set-aside|release [--data DIR] [--db DB] ID"
	if len(args) == 0 || (args[0] != "list" && args[0] != "revoke" && args[0] != "set-aside" && args[0] != "release") {
		return errors.New(use)
	}
	var c common
	fs := flag.NewFlagSet("kiosk", flag.ContinueOnError)
	c.add(fs)
	if err := cli.Parse(fs, args[1:]); err != nil {
		return err
	}
	if (args[0] != "list") != (fs.NArg() == 1) || fs.NArg() > 1 {
		return errors.New(use)
	}
	ctx := context.Background()
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if args[0] == "set-aside" || args[0] == "release" {
		return setAside(ctx, st, fs.Arg(0), args[0] == "set-aside")
	}
	if args[0] == "revoke" {
		id := fs.Arg(0)
		if err := st.RevokeKiosk(ctx, id, time.Now()); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no kiosk %q is enrolled (urna-central kiosk list shows them)", id)
		} else if err != nil {
			return err
		}
		k, err := st.Kiosk(ctx, id)
		if err != nil {
			return err
		}
		fmt.Printf("kiosk %s (%s) revoked at %s: its requests and ballots are refused from now on\n", k.ID, k.Venue, k.Revoked.Format(time.RFC3339))
		return nil
	}
	ks, err := st.Kiosks(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("%-16s %-20s %-20s %-8s %s\n", "KIOSK", "VENUE", "LAST SEEN", "LAST SEQ", "STATE")
	for _, k := range ks {
		seen, state := "never", "enrolled"
		if !k.LastSeen.IsZero() {
			seen = k.LastSeen.Local().Format("2006-01-02 15:04")
		}
		if !k.Revoked.IsZero() {
			state = "revoked " + k.Revoked.Local().Format("2006-01-02 15:04")
		}
		fmt.Printf("%-16s %-20s %-20s %-8d %s\n", k.ID, k.Venue, seen, k.Heartbeat.LastSeq, state)
	}
	return nil
}

func cmdServe(args []string) error {
	var c common
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.add(fs)
	listen := fs.String("listen", ":8443", "address to listen on")
	certFile := fs.String("tls-cert", "", "TLS certificate (default: a self-signed one in the data folder)")
	keyFile := fs.String("tls-key", "", "TLS key")
	insecure := fs.Bool("insecure-http", false, "plain HTTP, for loopback demos only")
	metricsListen := fs.String("metrics-listen", "", "serve /metrics alone on this address, plain HTTP (loopback or the monitoring network)")
	metricsTokenFile := fs.String("metrics-token-file", "", "a file holding a token that lets /metrics answer on --listen (Authorization: Bearer TOKEN)")
	proxies := fs.String("trusted-proxy", "", "comma-separated addresses or CIDRs of load balancers whose X-Forwarded-For names the client for rate limits")
	demoPhase := fs.String("demo-phase", "", "demo only: show the proposal pages of this phase today (submission, formal-check, merit-check, protests)")
	evaluation := fs.Bool("evaluation", false, "ask \"how easy was it to vote?\" on the web (/evaluate) and take the kiosks' answers, counted per venue")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var trusted []netip.Prefix
	for _, p := range strings.FieldsFunc(*proxies, func(r rune) bool { return r == ',' || r == ' ' }) {
		if !strings.Contains(p, "/") {
			if a, err := netip.ParseAddr(p); err == nil {
				p += "/" + fmt.Sprint(a.BitLen())
			}
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			return fmt.Errorf("--trusted-proxy %q: an address or CIDR, like 10.0.0.0/8", p)
		}
		trusted = append(trusted, prefix.Masked())
	}
	metricsToken := ""
	if *metricsTokenFile != "" {
		raw, err := os.ReadFile(*metricsTokenFile)
		if err != nil {
			return say("serve.metrics_token_unreadable", "path", *metricsTokenFile)
		}
		if metricsToken = strings.TrimSpace(string(raw)); len(metricsToken) < 16 {
			return say("serve.metrics_token_short", "path", *metricsTokenFile, "n", len(metricsToken))
		}
	}
	keys, err := central.LoadKeys(c.data)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if *insecure {
		host, _, _ := net.SplitHostPort(*listen)
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return errors.New("--insecure-http only on a loopback address")
		}
	}
	var tlsCfg *tls.Config
	fingerprint := ""
	if !*insecure {
		var cert tls.Certificate
		if *certFile != "" {
			cert, fingerprint, err = central.LoadCert(*certFile, *keyFile)
		} else {
			host, _ := os.Hostname()
			cert, fingerprint, err = central.SelfSignedCert(c.data, []string{host})
		}
		if err != nil {
			return err
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		fmt.Println("TLS certificate fingerprint (give it to urnactl enroll --pin):", fingerprint)
	}
	limits, _ := st.(limit.Backend) // both stores keep the limits: replicas on PostgreSQL share them
	srv := central.New(central.Config{Store: st, EditionKey: keys.Edition.Public().(ed25519.PublicKey), VoterSecret: keys.VoterSecret,
		TLSFingerprint: fingerprint, Log: log, Limits: limits, TrustedProxies: trusted})
	rawUsers, _ := os.ReadFile(filepath.Join(c.data, "users.json"))
	users, err := central.Users(rawUsers)
	if err != nil {
		return fmt.Errorf("users.json: %w", err)
	}
	web := central.NewWeb(srv, central.WebConfig{Users: users, UsersFile: filepath.Join(c.data, "users.json"), Limits: limits, MetricsToken: metricsToken, Evaluation: *evaluation})
	desk, err := openDesk(c.data, st, log, election.PhaseKind(*demoPhase), func(ctx context.Context) (*election.Edition, error) {
		return srv.EditionFor(ctx, election.ActCheckStatus)
	})
	if err != nil {
		return err
	}
	go sweepContacts(ctx, desk, time.Hour)
	handoffs := &proposals.Handoffs{}
	srv.UseCivic(&central.KioskCivic{Desk: desk, Key: keys.Edition, Handoffs: handoffs}) // the kiosks' proposal screens
	srv.UseResults(&central.KioskResults{Key: keys.Edition, Evaluation: *evaluation})    // the kiosks' results and built screens
	hs := &http.Server{Addr: *listen, Handler: withProposals(web, desk, srv.Edition, filepath.Join(c.data, staff.RolesFileName), handoffs), TLSConfig: tlsCfg,
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	log.Info("central-listening", "addr", ln.Addr().String(), "db", strings.SplitN(c.db, "://", 2)[0], "tls", !*insecure, "version", version)
	errc := make(chan error, 3)
	// Backups come from this process (it holds the bbolt file's lock),
	// over a socket only the data folder's owner reaches.
	sock := filepath.Join(c.data, central.BackupSocket)
	os.Remove(sock) // left by a process that was killed
	if bln, err := net.Listen("unix", sock); err != nil {
		log.Warn("backup-socket-failed", "err", err) // serving matters more; backup then needs serve stopped
	} else {
		os.Chmod(sock, 0o600)
		dsn := ""
		if !strings.HasPrefix(c.db, "bolt:") {
			dsn = c.db
		}
		bs := &http.Server{Handler: central.BackupHandler(c.data, st, dsn, log), ReadHeaderTimeout: 10 * time.Second}
		go func() { errc <- bs.Serve(bln) }()
		defer bs.Close()
	}
	if *metricsListen != "" {
		ms := &http.Server{Handler: web.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second}
		mln, err := net.Listen("tcp", *metricsListen)
		if err != nil {
			return err
		}
		log.Info("metrics-listening", "addr", mln.Addr().String())
		go func() { errc <- ms.Serve(mln) }()
		defer ms.Close()
	}
	go func() {
		if tlsCfg != nil {
			errc <- hs.ServeTLS(ln, "", "")
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return hs.Shutdown(sctx)
	}
}

func cmdExport(args []string) error {
	var c common
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	c.add(fs)
	format := fs.String("format", "jsonl", "jsonl or csv")
	if len(args) > 0 && args[0] == "ballots" {
		args = args[1:]
	}
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	ctx := context.Background()
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	return central.ExportBallots(ctx, st, os.Stdout, *format)
}

func cmdImport(args []string) error {
	var c common
	fs := flag.NewFlagSet("import-ballots", flag.ContinueOnError)
	c.add(fs)
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: urna-central import-ballots [--db …] FILE.jsonl")
	}
	ctx := context.Background()
	keys, err := central.LoadKeys(c.data)
	if err != nil {
		return err
	}
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	srv := central.New(central.Config{Store: st, EditionKey: keys.Edition.Public().(ed25519.PublicKey)})
	return importBallots(ctx, st, srv, fs.Arg(0))
}

func cmdUser(args []string) error {
	var c common
	fs := flag.NewFlagSet("user", flag.ContinueOnError)
	c.add(fs)
	if len(args) < 2 || args[0] != "add" {
		return errors.New("usage: urna-central user add NAME [--data DIR] < password")
	}
	name := args[1]
	if err := cli.Parse(fs, args[2:]); err != nil {
		return err
	}
	pass, err := io.ReadAll(io.LimitReader(os.Stdin, 1024))
	if err != nil {
		return err
	}
	password := strings.TrimRight(string(pass), "\r\n")
	if len(password) < 10 {
		return errors.New("a password has at least 10 characters")
	}
	path := filepath.Join(c.data, "users.json")
	raw, _ := os.ReadFile(path)
	users, err := central.Users(raw)
	if err != nil {
		return err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	users[name] = string(h)
	out, _ := json.MarshalIndent(users, "", "  ")
	if err := atomicfile.Write(path, out, 0o600); err != nil {
		return err
	}
	fmt.Println("user", name, "can sign in to /dashboard")
	return nil
}

func cmdBackup(args []string) error {
	var c common
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	c.add(fs)
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: urna-central backup [--data DIR] [--db DB] FILE")
	}
	ctx := context.Background()
	var m central.Manifest
	st, err := c.open(ctx)
	switch {
	case errors.Is(err, store.ErrBusy):
		// urna-central serve holds the bbolt file: it makes the backup
		if m, err = central.FetchBackup(ctx, filepath.Join(c.data, central.BackupSocket), fs.Arg(0)); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		defer st.Close()
		dsn := ""
		if !strings.HasPrefix(c.db, "bolt:") {
			dsn = c.db
		}
		if m, err = central.Backup(ctx, c.data, st, dsn, fs.Arg(0)); err != nil {
			return err
		}
	}
	fmt.Printf("backup of the %s store and %s written to %s (it holds the secrets: keep it as safe as the server)\n", m.Store, strings.Join(m.Files, ", "), fs.Arg(0))
	return nil
}

func cmdRestore(args []string) error {
	var c common
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	c.add(fs)
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: urna-central restore [--data NEW-DIR] [--db EMPTY-DB] FILE")
	}
	if c.db == "" {
		c.db = "bolt:" + filepath.Join(c.data, "central.db")
	}
	m, err := central.Restore(context.Background(), fs.Arg(0), c.data, c.db)
	for sentinel, key := range map[error]string{central.ErrCutOff: "restore.cut_off", central.ErrAltered: "restore.altered",
		central.ErrRestoreTarget: "restore.target", central.ErrNotBackup: "restore.not_backup", os.ErrNotExist: "restore.no_file"} {
		if errors.Is(err, sentinel) {
			return say(key, "path", fs.Arg(0), "data", c.data)
		}
	}
	if err != nil {
		return err
	}
	fmt.Printf("restored the %s store of %s and %s into %s\n", m.Store, m.Created.Format(time.RFC3339), strings.Join(m.Files, ", "), c.data)
	return nil
}
