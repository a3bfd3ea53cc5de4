package station

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/urna-kiosk/urna/kiosk/layout"
	"github.com/urna-kiosk/urna/kiosk/poster"
	"github.com/urna-kiosk/urna/kiosk/queue"
)

// Errors of the poster outputs that staff act on.
var (
	// ErrNoUSB: no USB stick is mounted.
	ErrNoUSB = errors.New("no USB stick is mounted")
	// ErrOfficePrinter: CUPS did not take the job (no such printer, cupsd down).
	ErrOfficePrinter = errors.New("the office printer did not take the job")
)

// posterModel is the venue's poster content. The QR code holds the public
// project list when the station knows its address, else the ballot check
// page, and its label says which.
func (s *Station) posterModel(lang string) (*poster.Model, error) {
	url, label := s.ProjectsURL, "poster.scan"
	if url == "" {
		url, label = s.Edition.CheckURL, "poster.scan_check"
	}
	md, err := poster.NewModel(s.Edition, s.Messages, s.Venue.ID, lang, url, poster.ByNumber)
	if err != nil {
		return nil, err
	}
	md.Lines["poster.scan"] = s.Messages.T(lang, label)
	md.KeyFingerprint = s.keyFingerprint()
	return md, nil
}

// posterPDF renders a PDF poster.
func (s *Station) posterPDF(f poster.Format, lang string) ([]byte, error) {
	md, err := s.posterModel(lang)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := poster.Write(&b, md, f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (s *Station) posterName(f poster.Format, lang string) string {
	return fmt.Sprintf("%s-%s-%s.pdf", s.Venue.ID, f, lang)
}

func (s *Station) logPoster(f any, lang, where string, err error) {
	s.Queue.Log(queue.Event{Name: queue.EventPosterMade, OK: err == nil, Detail: fmt.Sprintf("%v %s %s", f, lang, where)})
	s.Log.Info(string(queue.EventPosterMade), "format", f, "lang", lang, "to", where, "ok", err == nil)
}

// PrintPosterStrip prints the thermal poster strip.
func (s *Station) PrintPosterStrip(ctx context.Context, lang string) error {
	md, err := s.posterModel(lang)
	if err != nil {
		return err
	}
	doc, err := layout.BuildPosterStrip(s.Printer.Profile(), md)
	if err == nil {
		err = s.Printer.Print(ctx, doc)
	}
	s.logPoster("strip", lang, "receipt-printer", err)
	return err
}

// PrintPosterOffice sends a PDF poster to the venue's office printer
// through CUPS (lp), to OfficePrinter or the default destination.
func (s *Station) PrintPosterOffice(ctx context.Context, f poster.Format, lang string) error {
	pdf, err := s.posterPDF(f, lang)
	if err != nil {
		return err
	}
	args := []string{"-t", s.posterName(f, lang), "-o", "media=A4"}
	if s.OfficePrinter != "" {
		args = append(args, "-d", s.OfficePrinter)
	}
	cmd := exec.CommandContext(ctx, "lp", append(args, "-")...)
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.Log.Warn("poster-not-printed", "printer", s.OfficePrinter, "lp", strings.TrimSpace(string(out)))
		err = fmt.Errorf("%w: %v", ErrOfficePrinter, err)
	}
	s.logPoster(f, lang, "office-printer", err)
	return err
}

// USBDrives lists the mounted removable drives: mount points under USBRoot
// (/media by default, where the desktop's automounter puts sticks).
func (s *Station) USBDrives() ([]string, error) {
	root := s.USBRoot
	if root == "" {
		root = "/media"
	}
	mounts := s.Mounts
	if mounts == "" {
		mounts = "/proc/self/mounts"
	}
	f, err := os.Open(mounts)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		dir := strings.NewReplacer(`\040`, " ", `\011`, "\t").Replace(fields[1])
		if rel, err := filepath.Rel(root, dir); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			out = append(out, dir)
		}
	}
	return out, sc.Err()
}

// SavePosterUSB writes a PDF poster onto the first USB stick mounted and
// returns its file name there. The file is written whole and flushed
// before it is named, so pulling the stick afterwards is safe.
func (s *Station) SavePosterUSB(f poster.Format, lang string) (string, error) {
	drives, err := s.USBDrives()
	if err == nil && len(drives) == 0 {
		err = ErrNoUSB
	}
	if err != nil {
		s.logPoster(f, lang, "usb", err)
		return "", err
	}
	pdf, err := s.posterPDF(f, lang)
	if err != nil {
		return "", err
	}
	name := s.posterName(f, lang)
	err = writeDurably(filepath.Join(drives[0], name), pdf)
	s.logPoster(f, lang, "usb", err)
	return name, err
}

// writeDurably writes a file atomically: a temporary file, fsync, rename,
// fsync of the folder.
func writeDurably(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".urna-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
