// Command urna-kiosk is the voting kiosk: the resident's full-screen voting
// flow and staff mode, over the station's ballot store and printer.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/atomicfile"
	"github.com/urna-kiosk/urna/internal/boltfile"
	"github.com/urna-kiosk/urna/internal/cli"
	"github.com/urna-kiosk/urna/kiosk/config"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/printer/virtual"
	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/kiosk/session"
	"github.com/urna-kiosk/urna/kiosk/speech"
	"github.com/urna-kiosk/urna/kiosk/station"
	"github.com/urna-kiosk/urna/kiosk/ui"
	"github.com/urna-kiosk/urna/sync/agent"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

var version = "dev"

// Demo mode's PINs, printed in the README.
const (
	demoStaffPIN      = "1234"
	demoTechnicianPIN = "0000"
)

const long = `urna-kiosk lets residents vote on a touch screen in Polish, English or Ukrainian. Each ballot is
sealed (signed and chained) and committed to disk before its QR receipt prints on the thermal printer;
the sync agent sends it to the central. Staff mode (hold the top-left corner for 3 seconds) prints the
opening and closing reports and posters. The package runs it as a cage(1) kiosk session on tty1.`

func main() {
	start := time.Now()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	os.Exit(program(start, log).Execute(os.Args[1:]))
}

// program is urna-kiosk's command line: its flags, and run.
func program(start time.Time, log *slog.Logger) cli.Program {
	fs := flag.NewFlagSet("urna-kiosk", flag.ContinueOnError)
	configPath := fs.String("config", "/etc/urna/kiosk.toml", "configuration file")
	demo := fs.Bool("demo", false, "demo mode: the demo edition, open now, a virtual printer, demo PINs")
	data := fs.String("data", "demo-data", "data folder in demo mode")
	size := fs.String("size", "900x1000", "window size when not full screen")
	automation := fs.String("automation", "", "write the on-screen buttons as JSON to this file after each redraw")
	evaluation := fs.Bool("evaluation", false, "ask \"how easy was it to vote?\" after each ballot; the answers go to the central counted per day")
	demoPhase := fs.String("demo-phase", "", "demo mode: the stage of the year in force today (submission, formal-check, merit-check, protests)")
	return cli.Program{Name: "urna-kiosk", Short: "full-screen voting kiosk of the Urna civic-budget system", Long: long,
		Version: version, Flags: fs,
		Run: func([]string) error {
			return run(start, log, *configPath, *demo, *data, *size, *automation, election.PhaseKind(*demoPhase), *evaluation)
		},
		Fail: func(_ string, err error) int {
			log.Error("kiosk-stopped", "err", err)
			fmt.Fprintln(os.Stderr, "urna-kiosk:", err)
			var damaged *boltfile.DamagedError
			if errors.As(err, &damaged) {
				// what staff see when the kiosk does not start
				fmt.Fprintln(os.Stderr, assets.MustMessages().T(assets.EnvLanguage(os.Getenv), damaged.Key,
					"path", damaged.Path, "salvage", "urnactl salvage"))
			}
			return 1
		}}
}

func run(start time.Time, log *slog.Logger, configPath string, demo bool, data, size, automation string, demoPhase election.PhaseKind, evaluation bool) error {
	cfg, err := load(configPath, demo, data)
	if err != nil {
		return err
	}
	if err := atomicfile.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	q, err := queue.Open(filepath.Join(cfg.DataDir, "kiosk.db"), queue.Options{})
	if err != nil {
		return err
	}
	defer q.Close()

	if cfg.Printer.Address == "virtual" {
		prof, err := printer.LookupProfile(cfg.Printer.Profile)
		if err != nil {
			return err
		}
		v, err := virtual.Start(virtual.Options{Profile: prof, Dir: filepath.Join(cfg.DataDir, "printer")})
		if err != nil {
			return err
		}
		defer v.Close()
		cfg.Printer = v.Config(cfg.Printer)
		log.Info("virtual-printer", "address", v.Path(), "pages", filepath.Join(cfg.DataDir, "printer"))
	}
	p, err := printer.Start(cfg.Printer, nil, log)
	if err != nil {
		return err
	}
	defer p.Close()

	var en agent.Enrollment
	if demo {
		en, err = demoCentral(ctx, filepath.Join(cfg.DataDir, "central"), cfg.Venue, q, log, demoPhase)
	} else {
		en, err = agent.LoadEnrollment(q)
	}
	if err != nil {
		return err
	}
	catalogs := make(chan []byte, 1) // catalogs the agent installs, for the UI
	years := make(chan []byte, 1)    // timelines the agent installs, for the attract screen
	ag := newAgent(en, q, p, cfg.DataDir, log, func(ed []byte) { latest(catalogs, ed) }, func(ed []byte) { latest(years, ed) })
	editionJSON, err := catalogEdition(ctx, ag, q, en, demo, log)
	if err != nil {
		return err
	}
	if err := ag.PullTimeline(ctx); err != nil {
		log.Warn("timeline-pull-failed", "err", err)
	}
	if err := ag.PullResults(ctx); err != nil {
		log.Warn("results-pull-failed", "err", err)
	}
	go ag.Run(ctx)

	msgs := assets.MustMessages()
	st, err := station.New(editionJSON, cfg.Venue, q, p, msgs, log)
	if err != nil {
		return err
	}
	st.Baud, st.Synced, st.Revoked = cfg.Printer.Baud, ag.LastSync, ag.Revoked
	st.OfficePrinter, st.USBRoot = cfg.OfficePrinter, cfg.USBRoot
	st.EditionKey = en.EditionKey
	st.Version = version
	go st.Run(ctx, 15*time.Second) // reports kept while the printer had no paper
	staff, tech := session.NewStaffMembers(cfg.StaffMembers(), nil), session.NewStaff(cfg.TechnicianPIN, nil)
	if err := staff.Keep("staff", q); err != nil {
		return err
	}
	if err := tech.Keep("technician", q); err != nil {
		return err
	}
	sess := session.New(session.Deps{Edition: st.Edition, Venue: st.Venue, Secret: en.VoterSecret, Store: st, Receipts: st,
		Admission: st, Central: voterCheck(ag), Rand: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1)),
		IdleWarn: cfg.IdleWarn, IdleReset: cfg.IdleReset, ErrorKey: printer.ErrorKey,
		Defaults: session.Defaults{Lang: cfg.Resident.Language, Large: cfg.Resident.LargeText, Contrast: cfg.Resident.Contrast}})

	speaker := openSpeaker(cfg.Audio, log)
	if speaker != nil {
		defer speaker.Close()
	}

	var evaluate func(int) // "how easy was it to vote?": off unless --evaluation
	if evaluation {
		evaluate = func(score int) {
			if err := ag.CountEvaluation(score); err != nil {
				log.Warn("evaluation-not-counted", "err", err)
			}
		}
	}
	a := app.NewWithID("org.urna.kiosk")
	w := a.NewWindow("Urna")
	u := ui.New(a, w, ui.Options{Session: sess, Station: st, Messages: msgs,
		Staff: staff, Technician: tech, StaffIdle: cfg.StaffIdle, Civic: ag,
		Results:  func() *wire.ResultsFile { return agent.InstalledResults(q, en.EditionKey) },
		Built:    func() *wire.SignedBuilt { return agent.InstalledBuilt(q, en.EditionKey) },
		Evaluate: evaluate,
		Speaker:  speaker, VoiceSettings: speech.Settings{Rate: cfg.Audio.Rate, Volume: cfg.Audio.Volume}, VoiceForAll: cfg.Audio.Guide,
		OnExit: func() { log.Info("kiosk-exit"); a.Quit() }})
	if cfg.Fullscreen {
		w.SetFullScreen(true)
	} else {
		var width, height float32
		fmt.Sscanf(size, "%fx%f", &width, &height)
		w.Resize(fyne.NewSize(width, height))
	}
	if t, ok, _ := agent.InstalledTimeline(q, en.EditionKey); ok {
		u.OfferTimeline(t.Edition)
	}
	a.Lifecycle().SetOnStarted(func() {
		log.Info("first-frame", "ms", time.Since(start).Milliseconds(), "version", version)
		u.Refresh()
	})
	go u.Run(ctx)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ed := <-catalogs:
				fyne.Do(func() { u.OfferCatalog(ed) })
			case ed := <-years:
				fyne.Do(func() { u.OfferTimeline(ed) })
			}
		}
	}()
	if automation != "" {
		// The buttons' positions are known once the window is laid out.
		go func() {
			for t := time.NewTicker(200 * time.Millisecond); ; <-t.C {
				fyne.Do(func() { u.WriteTargets(automation) })
			}
		}()
	}
	w.ShowAndRun()
	return nil
}

// openSpeaker starts espeak-ng for the voice guide, or returns nil (no
// guide offered) if it is switched off or not installed. URNA_SPEECH_WAV
// writes the prompts to WAV files there instead of the sound device.
func openSpeaker(cfg config.Audio, log *slog.Logger) speech.Speaker {
	if !cfg.Speech {
		return nil
	}
	dir := cfg.WAVDir
	if env := os.Getenv("URNA_SPEECH_WAV"); env != "" {
		dir = env
	}
	sp, err := speech.NewEspeak(speech.EspeakOptions{WAVDir: dir, Log: log})
	if err != nil {
		log.Warn("speech-unavailable", "err", err)
		return nil
	}
	log.Info("speech-ready", "to_files", dir != "")
	return sp
}

// load returns the configuration: a real station's file, or the demo's.
func load(path string, demo bool, data string) (config.Config, error) {
	if !demo {
		return config.Load(path)
	}
	staff, err := session.HashPIN(demoStaffPIN)
	if err != nil {
		return config.Config{}, err
	}
	tech, err := session.HashPIN(demoTechnicianPIN)
	if err != nil {
		return config.Config{}, err
	}
	cfg := config.Default()
	cfg.Venue, cfg.DataDir, cfg.Fullscreen = "bk-podgorze", data, false
	cfg.StaffPIN, cfg.TechnicianPIN = staff, tech
	cfg.Printer = printer.Config{Port: "virtual", Profile: "epson-tm-t20", Baud: 19200}.WithDefaults()
	return cfg, nil
}

// voterCheck asks the central about a voter before they begin: whether a
// ballot of theirs counts already, and whether the edition admits them.
func voterCheck(ag *agent.Agent) session.VoterCheck {
	return func(ctx context.Context, v election.VoterKey) (session.VoterAnswer, error) {
		vs, err := ag.VoterStatus(ctx, v)
		return session.VoterAnswer{Voted: vs.Voted, NotAdmitted: vs.NotAdmitted}, err
	}
}
