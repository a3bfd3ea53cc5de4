package printer

import (
	"context"
	"os"
	"sync"
)

// Printer prints ESC/POS documents. The serial printer is the real one;
// Memory and File are full implementations for tests, development and
// `urnactl print --out`, chosen by configuration.
type Printer interface {
	// Profile is the model the documents are encoded for.
	Profile() *Profile
	// Status asks the printer for its state.
	Status(ctx context.Context) (Status, error)
	// Print sends one document. A printer that cannot start (paper out,
	// cover open) fails before sending anything; one that stops part way
	// returns a *MidJobError.
	Print(ctx context.Context, doc Doc) error
	Close() error
}

// Memory is a printer that keeps documents in memory, with a status tests set.
type Memory struct {
	prof *Profile
	mu   sync.Mutex
	st   Status
	docs [][]byte
}

// NewMemory returns an online memory printer.
func NewMemory(p *Profile) *Memory { return &Memory{prof: p, st: Status{Online: true}} }

// Profile implements Printer.
func (m *Memory) Profile() *Profile { return m.prof }

// SetStatus sets what Status answers.
func (m *Memory) SetStatus(s Status) {
	m.mu.Lock()
	m.st = s
	m.mu.Unlock()
}

// Status implements Printer.
func (m *Memory) Status(context.Context) (Status, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.st, nil
}

// Print implements Printer.
func (m *Memory) Print(_ context.Context, doc Doc) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.st.Ready(); err != nil {
		return err
	}
	m.docs = append(m.docs, append([]byte(nil), doc.Data...))
	return nil
}

// Docs returns the documents printed so far.
func (m *Memory) Docs() [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([][]byte(nil), m.docs...)
}

// Close implements Printer.
func (m *Memory) Close() error { return nil }

// File is a printer that appends each document's raw ESC/POS stream to a
// file, for debugging and for decoders nobody here wrote.
type File struct {
	prof *Profile
	f    *os.File
}

// NewFile creates (or truncates) path.
func NewFile(p *Profile, path string) (*File, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &File{prof: p, f: f}, nil
}

// Profile implements Printer.
func (f *File) Profile() *Profile { return f.prof }

// Status implements Printer: a file is always ready.
func (f *File) Status(context.Context) (Status, error) { return Status{Online: true}, nil }

// Print implements Printer.
func (f *File) Print(_ context.Context, doc Doc) error {
	_, err := f.f.Write(doc.Data)
	return err
}

// Close implements Printer.
func (f *File) Close() error { return f.f.Close() }
