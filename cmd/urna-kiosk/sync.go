package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/urna-kiosk/urna/assets"
	"github.com/urna-kiosk/urna/internal/boltfile"
	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/queue"
	"github.com/urna-kiosk/urna/sync/agent"
	"github.com/urna-kiosk/urna/sync/central"
	"github.com/urna-kiosk/urna/sync/central/contact"
	"github.com/urna-kiosk/urna/sync/central/proposals"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// demoCentral starts a central on loopback for the demo, with the demo
// edition published (open today, all day), and enrolls the kiosk with it.
func demoCentral(ctx context.Context, dir, venue string, q *queue.Queue, log *slog.Logger, phase election.PhaseKind) (agent.Enrollment, error) {
	if err := central.Init(dir); err != nil && !errors.Is(err, central.ErrExists) {
		return agent.Enrollment{}, err
	}
	keys, err := central.LoadKeys(dir)
	if err != nil {
		return agent.Enrollment{}, err
	}
	path := filepath.Join(dir, "central.db")
	st, err := store.OpenBolt(path)
	if errors.Is(err, store.ErrOldLayout) {
		// demo data from an earlier version: start the demo central afresh
		old := path + ".old-layout"
		if err := os.Rename(path, old); err != nil {
			return agent.Enrollment{}, err
		}
		// the marker goes with it: the demo wants a new store here
		os.Rename(path+boltfile.MarkerSuffix, old+boltfile.MarkerSuffix)
		log.Warn("demo-central-reset", "kept", old)
		st, err = store.OpenBolt(path)
	}
	if err != nil {
		return agent.Enrollment{}, err
	}
	go func() { <-ctx.Done(); st.Close() }()
	if c, err := st.Catalog(ctx); err != nil || !openToday(c) {
		ed := assets.MustDemoEdition()
		ed.MoveWindow(time.Now())
		for i := range ed.Venues {
			ed.Venues[i].Hours = nil
		}
		var b bytes.Buffer
		election.EncodeEdition(&b, ed)
		v, err := central.Publish(ctx, st, keys, b.Bytes())
		if err != nil {
			return agent.Enrollment{}, err
		}
		log.Info("demo-catalog-published", "version", v)
	}
	srv := central.New(central.Config{Store: st, EditionKey: keys.Edition.Public().(ed25519.PublicKey),
		VoterSecret: keys.VoterSecret, Log: log})
	desk, err := demoDesk(dir, st, log, phase)
	if err != nil {
		return agent.Enrollment{}, err
	}
	srv.UseCivic(&central.KioskCivic{Desk: desk, Key: keys.Edition, Handoffs: &proposals.Handoffs{}})
	srv.UseResults(&central.KioskResults{Key: keys.Edition})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return agent.Enrollment{}, err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	go func() { <-ctx.Done(); hs.Close() }()
	url := "http://" + ln.Addr().String()
	log.Info("demo-central", "url", url)

	en, err := agent.LoadEnrollment(q)
	if errors.Is(err, agent.ErrNotEnrolled) {
		code, err := central.NewEnrollCode(ctx, st, venue, time.Hour, time.Now())
		if err != nil {
			return en, err
		}
		er, err := agent.Enroll(ctx, nil, url, code, q)
		if err != nil {
			return en, err
		}
		en = agent.Enrollment{URL: url, EditionKey: er.EditionKey, VoterSecret: er.VoterSecret}
		if err := agent.SaveEnrollment(q, en); err != nil {
			return en, err
		}
		log.Info("demo-kiosk-enrolled", "kiosk", er.KioskID)
	} else if err != nil {
		return en, err
	} else if _, err := st.Kiosk(ctx, q.KioskID()); errors.Is(err, store.ErrNotFound) {
		// enrolled with a demo central whose data is gone: known again
		if err := st.AddKiosk(ctx, store.Kiosk{ID: q.KioskID(), Venue: venue, PublicKey: q.PublicKey(), Enrolled: time.Now()}); err != nil {
			return en, err
		}
		log.Info("demo-kiosk-known-again", "kiosk", q.KioskID())
	}
	en.URL = url // the demo central's port changes from run to run
	return en, nil
}

// demoDesk is the demo central's proposal desk: the published edition's
// year counted from its vote (Kraków's calendar), moved so that phase
// (if given) is in force today.
func demoDesk(dir string, st *store.Bolt, log *slog.Logger, phase election.PhaseKind) (*proposals.Desk, error) {
	sealer, err := contact.LoadOrCreate(dir)
	if err != nil {
		return nil, err
	}
	today := time.Now() // the demo's year moves once, not at each look
	year := func(ctx context.Context) (*election.Edition, error) {
		c, err := st.Catalog(ctx)
		if err != nil {
			return nil, err
		}
		ed, err := election.DecodeEdition(bytes.NewReader(c.Edition))
		if err != nil {
			return nil, err
		}
		if phase == "" || !proposals.DemoPhase(ed, phase, today) {
			proposals.KrakowYear(ed)
		}
		return ed, nil
	}
	return proposals.New(proposals.Config{Store: st, Edition: year, Sealer: sealer, Log: log}), nil
}

func openToday(c wire.Catalog) bool {
	ed, err := election.DecodeEdition(bytes.NewReader(c.Edition))
	return err == nil && ed.Open(time.Now()) && ed.Open(time.Now().Add(12*time.Hour))
}

// newAgent builds the sync agent for an enrollment; installed hears of
// each catalog it installs (its edition JSON).
func newAgent(en agent.Enrollment, q *queue.Queue, p printer.Printer, dataDir string, log *slog.Logger, installed func([]byte), year func([]byte)) *agent.Agent {
	client := &http.Client{Timeout: 30 * time.Second}
	if en.Pin != "" {
		client = agent.PinnedClient(en.Pin)
	}
	return agent.New(agent.Config{URL: en.URL, Client: client, Queue: q, EditionKey: en.EditionKey, Log: log,
		Catalog: func() int { return agent.CatalogVersion(q) },
		Install: func(c wire.Catalog) error {
			if err := agent.InstallCatalog(q, c); err != nil {
				return err
			}
			installed(c.Edition)
			return nil
		},
		InstallTimeline: func(t wire.Timeline) { year(t.Edition) },
		Heartbeat: func() wire.Heartbeat {
			hb := wire.Heartbeat{Version: version, Printer: "offline", FreeDiskMB: freeMB(dataDir)}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			if st, err := p.Status(ctx); err == nil {
				hb.Printer = st.String()
			}
			return hb
		}})
}

// catalogEdition is the edition of the installed catalog. A kiosk that has
// none yet waits for the central (up to 10 s), and so does the demo, whose
// central is on this machine and republishes the demo edition each day;
// otherwise the agent pulls newer ones in the background, and the kiosk
// shows them from the next resident on (ui.OfferCatalog).
func catalogEdition(ctx context.Context, a *agent.Agent, q *queue.Queue, en agent.Enrollment, pull bool, log *slog.Logger) ([]byte, error) {
	if _, ok, _ := agent.InstalledCatalog(q, en.EditionKey); !ok || pull {
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := a.PullCatalog(pctx); err != nil {
			log.Warn("catalog-pull-failed", "err", err)
		}
	}
	c, ok, err := agent.InstalledCatalog(q, en.EditionKey)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("no catalog yet: the central at %s did not answer", en.URL)
	}
	return c.Edition, nil
}

// latest puts v in ch, a channel of one, replacing what waits there: only
// the newest catalog matters.
func latest(ch chan []byte, v []byte) {
	for {
		select {
		case ch <- v:
			return
		default:
			select {
			case <-ch:
			default:
			}
		}
	}
}
