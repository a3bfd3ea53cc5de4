// Package config is a kiosk station's configuration file (TOML).
package config

import (
	"errors"
	"fmt"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/urna-kiosk/urna/kiosk/printer"
	"github.com/urna-kiosk/urna/kiosk/session"
)

// Config is one station's configuration.
type Config struct {
	Venue   string `toml:"venue"` // venue id from the edition
	DataDir string `toml:"data"`  // the ballot store (with the enrollment and the installed catalog)
	// Printer: port "virtual" starts the virtual printer (demo and tests).
	Printer printer.Config `toml:"printer"`
	Central struct {
		URL string `toml:"url"`
		Pin string `toml:"pin"` // TLS certificate fingerprint from enrollment
	} `toml:"central"`
	StaffPIN      string        `toml:"staff_pin_hash"`      // bcrypt; its holder is staff id "staff"
	Staff         []StaffMember `toml:"staff"`               // named staff PINs, each with its id for the audit log
	TechnicianPIN string        `toml:"technician_pin_hash"` // bcrypt
	IdleWarn      time.Duration `toml:"idle_warn"`
	IdleReset     time.Duration `toml:"idle_reset"`
	Fullscreen    bool          `toml:"fullscreen"`
	PosterDir     string        `toml:"poster_dir"` // no longer used: posters go to a printer or a USB stick
	// StaffIdle locks staff mode after this long without a touch.
	StaffIdle time.Duration `toml:"staff_idle"`
	// OfficePrinter is the venue's CUPS queue for posters ("": CUPS's default).
	OfficePrinter string `toml:"office_printer"`
	// USBRoot is where USB sticks are mounted.
	USBRoot string `toml:"usb_root"`
	// Resident: what every resident starts with; their changes go back to
	// these after each ballot, cancel or timeout.
	Resident Resident `toml:"resident"`
	// Audio: the voice guide for residents who cannot read the screen.
	Audio Audio `toml:"audio"`
}

// Audio configures the voice guide (espeak-ng through the headphone output).
type Audio struct {
	// Speech offers the voice guide (a key on the keypad or the attract
	// screen's button starts it); false hides it.
	Speech bool `toml:"speech"`
	// Guide starts every resident with the voice guide on (a venue with
	// headphones on every kiosk); they can still turn it off.
	Guide bool `toml:"guide"`
	// Rate (words a minute, 80-400) and Volume (10-200) every resident starts
	// with; 0 is espeak-ng's default (160, 100).
	Rate   int `toml:"rate"`
	Volume int `toml:"volume"`
	// WAVDir, if set, writes each prompt to a WAV file there instead of the
	// sound device: for a technician checking prompts, and the tests. The
	// URNA_SPEECH_WAV environment variable sets it too.
	WAVDir string `toml:"wav_dir"`
}

// StaffMember is one named staff PIN.
type StaffMember struct {
	ID      string `toml:"id"`
	PINHash string `toml:"pin_hash"` // bcrypt (urnactl pin-hash)
}

// StaffMembers lists every staff PIN with its id: the named ones, and the
// single staff_pin_hash as id "staff".
func (c Config) StaffMembers() []session.Member {
	var out []session.Member
	if c.StaffPIN != "" {
		out = append(out, session.Member{ID: session.DefaultStaffID, Hash: c.StaffPIN})
	}
	for _, m := range c.Staff {
		out = append(out, session.Member{ID: m.ID, Hash: m.PINHash})
	}
	return out
}

// Resident holds the venue's defaults for residents.
type Resident struct {
	Language  string `toml:"language"`   // pl, en or uk
	LargeText bool   `toml:"large_text"` // large text on for everyone (a venue for older residents)
	Contrast  bool   `toml:"contrast"`   // high contrast on for everyone
}

// Default is the configuration a fresh station starts from.
func Default() Config {
	return Config{DataDir: "/var/lib/urna-kiosk", IdleWarn: 60 * time.Second, IdleReset: 90 * time.Second,
		Fullscreen: true, StaffIdle: 60 * time.Second, USBRoot: "/media", Resident: Resident{Language: "pl"},
		Audio:   Audio{Speech: true},
		Printer: printer.Config{Port: "/dev/urna-printer"}.WithDefaults()}
}

// Load reads a TOML file over the defaults.
func Load(path string) (Config, error) {
	c := Default()
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return c, fmt.Errorf("%s: unknown setting %q", path, und[0].String())
	}
	c.Printer = c.Printer.WithDefaults()
	return c, c.Verify()
}

// Verify checks the configuration.
func (c Config) Verify() error {
	var errs []error
	if c.Venue == "" {
		errs = append(errs, errors.New("venue: not set"))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data: not set"))
	}
	if c.Printer.Port != "virtual" {
		if err := c.Printer.Verify(); err != nil {
			errs = append(errs, err)
		}
	}
	if (c.StaffPIN == "" && len(c.Staff) == 0) || c.TechnicianPIN == "" {
		errs = append(errs, errors.New("staff_pin_hash (or [[staff]] entries) and technician_pin_hash: set both (urnactl pin-hash)"))
	}
	seen := map[string]bool{}
	if c.StaffPIN != "" {
		seen[session.DefaultStaffID] = true
	}
	for i, m := range c.Staff {
		switch {
		case m.ID == "" || m.PINHash == "":
			errs = append(errs, fmt.Errorf("staff #%d: set both id and pin_hash", i+1))
		case seen[m.ID]:
			errs = append(errs, fmt.Errorf("staff %q: the id is used twice (%q is the holder of staff_pin_hash)", m.ID, session.DefaultStaffID))
		}
		seen[m.ID] = true
	}
	if c.StaffIdle <= 0 {
		errs = append(errs, fmt.Errorf("staff_idle %v must be positive", c.StaffIdle))
	}
	if c.IdleWarn <= 0 || c.IdleReset <= c.IdleWarn {
		errs = append(errs, fmt.Errorf("idle_warn %v must be positive and before idle_reset %v", c.IdleWarn, c.IdleReset))
	}
	switch c.Resident.Language {
	case "pl", "en", "uk":
	default:
		errs = append(errs, fmt.Errorf("resident.language %q: pl, en or uk", c.Resident.Language))
	}
	if r := c.Audio.Rate; r != 0 && (r < 80 || r > 400) {
		errs = append(errs, fmt.Errorf("audio.rate %d: 80-400 words a minute (0: 160)", r))
	}
	if v := c.Audio.Volume; v != 0 && (v < 10 || v > 200) {
		errs = append(errs, fmt.Errorf("audio.volume %d: 10-200 (0: 100)", v))
	}
	return errors.Join(errs...)
}
