package central

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urna-kiosk/urna/internal/atomicfile"
	"github.com/urna-kiosk/urna/sync/central/store"
	"github.com/urna-kiosk/urna/sync/election"
	"github.com/urna-kiosk/urna/sync/wire"
)

// Files in the central's data folder.
const (
	FileEditionKey  = "edition.key"  // ed25519 seed, hex; signs catalogs
	FileVoterSecret = "voter.secret" // the voter-key secret, hex
	FileDraft       = "edition.json" // the edition being prepared for the next publish
	FileCert        = "tls.crt"
	FileKey         = "tls.key"
)

// Keys are the edition's secrets.
type Keys struct {
	Edition     ed25519.PrivateKey
	VoterSecret []byte
}

// ErrExists says init would overwrite keys.
var ErrExists = errors.New("keys already exist")

// Init creates the edition's signing key and voter-key secret in dir, as
// files only their owner can read. It refuses to overwrite them.
func Init(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, FileEditionKey)); err == nil {
		return fmt.Errorf("%s: %w", dir, ErrExists)
	}
	if err := atomicfile.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	seed := make([]byte, ed25519.SeedSize)
	secret := make([]byte, 32)
	rand.Read(seed)
	rand.Read(secret)
	// The edition key is what says "initialised": it is written last, so
	// that a power cut between the two never leaves a key without its secret.
	if err := atomicfile.Write(filepath.Join(dir, FileVoterSecret), []byte(hex.EncodeToString(secret)+"\n"), 0o600); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, FileEditionKey), []byte(hex.EncodeToString(seed)+"\n"), 0o600)
}

// LoadKeys reads the keys Init made.
func LoadKeys(dir string) (Keys, error) {
	read := func(name string, n int) ([]byte, error) {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("%w (run urna-central init)", err)
		}
		b, err := hex.DecodeString(strings.TrimSpace(string(raw)))
		if err != nil || len(b) != n {
			return nil, fmt.Errorf("%s: not %d hex bytes", name, n)
		}
		return b, nil
	}
	seed, err := read(FileEditionKey, ed25519.SeedSize)
	if err != nil {
		return Keys{}, err
	}
	secret, err := read(FileVoterSecret, 32)
	if err != nil {
		return Keys{}, err
	}
	return Keys{Edition: ed25519.NewKeyFromSeed(seed), VoterSecret: secret}, nil
}

// ImportCatalog reads an edition JSON (replacing the draft) or a projects
// CSV (added to the draft's projects) into the data folder.
func ImportCatalog(dir, file string) (*election.Edition, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var ed *election.Edition
	if strings.EqualFold(filepath.Ext(file), ".csv") {
		draft, err := os.ReadFile(filepath.Join(dir, FileDraft))
		if err != nil {
			return nil, fmt.Errorf("import the edition JSON before its projects CSV: %w", err)
		}
		if ed, err = election.DecodeEdition(bytes.NewReader(draft)); err != nil {
			return nil, err
		}
		ps, err := election.ImportProjects(bytes.NewReader(raw), ed)
		if err != nil {
			return nil, err
		}
		ed.Projects = append(ed.Projects, ps...)
	} else if ed, err = election.DecodeEdition(bytes.NewReader(raw)); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := election.EncodeEdition(&b, ed); err != nil {
		return nil, err
	}
	return ed, atomicfile.Write(filepath.Join(dir, FileDraft), b.Bytes(), 0o644)
}

// Publish signs an edition as the next catalog version and stores it.
func Publish(ctx context.Context, st store.Store, keys Keys, editionJSON []byte) (int, error) {
	ed, err := election.DecodeEdition(bytes.NewReader(editionJSON))
	if err != nil {
		return 0, err
	}
	last := 0
	if c, err := st.Catalog(ctx); err == nil {
		last = c.Version
		if err := sameEdition(ctx, st, c, ed); err != nil {
			return 0, err
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	ed.Version = last + 1
	var b bytes.Buffer
	if err := election.EncodeEdition(&b, ed); err != nil {
		return 0, err
	}
	c := wire.Catalog{Version: ed.Version, Edition: b.Bytes()}
	c.Sign(keys.Edition)
	return c.Version, st.PutCatalog(ctx, c)
}

// ErrNewEdition: another edition over one with ballots must be a later
// one (several editions at once, edition.go), never a renamed copy of it.
var ErrNewEdition = errors.New("another edition over this one's ballots must be a later one, its vote opening after this one's closes; a renamed copy of the running edition is refused (or run urna-central init --data NEW-FOLDER for a separate central)")

// sameEdition refuses to publish, over an edition that has ballots,
// another edition id that is not a later edition: each edition's voter-key
// secret is derived from its id (EditionSecret), so a later edition's
// keys are new, while a renamed copy of the running edition would split
// its ballots between two ids. Before any ballot, a mistaken edition id
// may still be corrected.
func sameEdition(ctx context.Context, st store.Store, latest wire.Catalog, next *election.Edition) error {
	prev, err := election.DecodeEdition(bytes.NewReader(latest.Edition))
	if err != nil || prev.ID == next.ID {
		return nil // an unreadable old catalog does not block a new one
	}
	// a new catalog of an edition held already (this year's, while next
	// year's timeline is out) is that edition's next version
	for v := latest.Version - 1; v >= 1; v-- {
		c, err := st.CatalogAt(ctx, v)
		if err != nil {
			continue
		}
		if old, err := election.DecodeEdition(bytes.NewReader(c.Edition)); err == nil && old.ID == next.ID {
			return nil
		}
	}
	total, _, err := st.Counts(ctx)
	if err != nil {
		return err
	}
	if total > 0 && next.Opens.Before(prev.Closes) {
		return fmt.Errorf("edition %q after %q, which has %d ballots: %w", next.ID, prev.ID, total, ErrNewEdition)
	}
	return nil
}

// codeChars leaves out letters people confuse.
const codeChars = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NewEnrollCode makes a one-time enrollment code for a venue.
func NewEnrollCode(ctx context.Context, st store.Store, venue string, ttl time.Duration, now time.Time) (string, error) {
	b := make([]byte, 12)
	rand.Read(b)
	for i := range b {
		b[i] = codeChars[int(b[i])%len(codeChars)]
	}
	code := string(b[:4]) + "-" + string(b[4:8]) + "-" + string(b[8:])
	return code, st.AddEnrollCode(ctx, code, venue, now.Add(ttl))
}

// SelfSignedCert loads tls.crt/tls.key from dir, making them first if
// missing, and returns the certificate with its SHA-256 fingerprint.
func SelfSignedCert(dir string, hosts []string) (tls.Certificate, string, error) {
	certFile, keyFile := filepath.Join(dir, FileCert), filepath.Join(dir, FileKey)
	if _, err := os.Stat(certFile); os.IsNotExist(err) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return tls.Certificate{}, "", err
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "urna-central"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(10, 0, 0),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		for _, h := range append(hosts, "localhost", "127.0.0.1") {
			if ip := net.ParseIP(h); ip != nil {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			} else if h != "" {
				tmpl.DNSNames = append(tmpl.DNSNames, h)
			}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			return tls.Certificate{}, "", err
		}
		kb, _ := x509.MarshalECPrivateKey(key)
		// the certificate says "made": written after its key
		if err := atomicfile.Write(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
			return tls.Certificate{}, "", err
		}
		if err := atomicfile.Write(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
			return tls.Certificate{}, "", err
		}
	}
	return LoadCert(certFile, keyFile)
}

// LoadCert loads a certificate and returns its fingerprint too.
func LoadCert(certFile, keyFile string) (tls.Certificate, string, error) {
	c, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return c, "", err
	}
	sum := sha256.Sum256(c.Certificate[0])
	return c, hex.EncodeToString(sum[:]), nil
}

// ExportBallots writes every stored ballot as JSON lines or CSV.
func ExportBallots(ctx context.Context, st store.Store, w io.Writer, format string) error {
	switch format {
	case "jsonl":
		enc := json.NewEncoder(w)
		return st.Ballots(ctx, func(s store.Stored) error { return enc.Encode(s) })
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"id", "tracker", "kiosk", "seq", "cast_at", "district", "counted", "selections"})
		err := st.Ballots(ctx, func(s store.Stored) error {
			b := s.Ballot
			sel, _ := json.Marshal(b.Selections)
			return cw.Write([]string{b.ID, b.Tracker(), b.Kiosk, fmt.Sprint(b.Seq), b.CastAt.UTC().Format(time.RFC3339Nano),
				b.District, fmt.Sprint(s.Counted), string(sel)})
		})
		cw.Flush()
		return errors.Join(err, cw.Error())
	}
	return fmt.Errorf("format %q: jsonl or csv", format)
}

// ImportBallots reads sealed ballots carried by USB (JSON lines, as
// urnactl export-ballots writes them) and ingests them as if they had
// come online: verified against their kiosk's key, idempotent.
func (s *Server) ImportBallots(ctx context.Context, r io.Reader) (map[wire.Status]int, error) {
	byKiosk := map[string][]wire.SealedBallot{}
	var reports []wire.ClosingReport
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		if rep, ok := closingLine(sc.Bytes()); ok {
			reports = append(reports, rep)
			continue
		}
		var b wire.SealedBallot
		if err := json.Unmarshal(sc.Bytes(), &b); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		byKiosk[b.Kiosk] = append(byKiosk[b.Kiosk], b)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	out := map[wire.Status]int{}
	if err := s.importClosings(ctx, reports, out); err != nil {
		return out, err
	}
	for id, bs := range byKiosk {
		k, err := s.cfg.Store.Kiosk(ctx, id)
		if err != nil {
			out[wire.UnknownKiosk] += len(bs)
			continue
		}
		for i := 0; i < len(bs); i += wire.MaxBatch {
			chunk := bs[i:min(i+wire.MaxBatch, len(bs))]
			fresh, err := s.notStored(ctx, chunk)
			if err != nil {
				return out, err
			}
			res, err := s.Ingest(ctx, k, chunk)
			if err != nil {
				return out, err
			}
			if err := s.markUSB(ctx, fresh, res); err != nil {
				return out, err
			}
			for _, r := range res {
				out[r.Status]++
			}
		}
	}
	return out, nil
}
