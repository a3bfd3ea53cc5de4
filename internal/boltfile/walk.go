package boltfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// bbolt's on-disk format (go.etcd.io/bbolt internal/common), read with
// ReadAt so that a damaged file is never mapped. Integers are in the
// machine's byte order, which is little-endian on every kiosk and server
// Urna runs on (amd64, arm64).
const (
	pageHeaderSize = 16 // id uint64, flags uint16, count uint16, overflow uint32
	elemSize       = 16 // branch: pos, ksize uint32, pgid uint64; leaf: flags, pos, ksize, vsize uint32
	bucketHeader   = 16 // root pgid uint64, sequence uint64
	flagBranch     = 0x01
	flagLeaf       = 0x02
	flagFreelist   = 0x10
	bucketLeafFlag = 0x01
	magic          = 0xED0CDAED
	version        = 2
	noFreelist     = ^uint64(0)
	firstPageSize  = 4096 // where bbolt looks for the second meta page when the first is bad
)

var le = binary.LittleEndian

// meta is the part of a meta page a check needs.
type meta struct {
	pageSize       uint32
	root, freelist uint64
	pgid, txid     uint64
}

// parseMeta reads the meta page at the start of page p and validates it
// as bbolt does (magic, version, checksum).
func parseMeta(p []byte) (meta, error) {
	if len(p) < pageHeaderSize+64 {
		return meta{}, errors.New("meta page cut short")
	}
	m := p[pageHeaderSize:]
	h := fnv.New64a()
	h.Write(m[:56])
	switch {
	case le.Uint32(m[0:]) != magic:
		return meta{}, errors.New("not a bbolt file (bad magic)")
	case le.Uint32(m[4:]) != version:
		return meta{}, errors.New("unknown bbolt version")
	case le.Uint64(m[56:]) != h.Sum64():
		return meta{}, errors.New("meta page checksum does not match")
	}
	return meta{pageSize: le.Uint32(m[8:]), root: le.Uint64(m[16:]), freelist: le.Uint64(m[32:]),
		pgid: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}, nil
}

// file is a bbolt file opened for reading without mmap.
type file struct {
	r        io.ReaderAt
	size     int64
	pageSize int
	meta     meta
}

func readAt(r io.ReaderAt, off int64, n int) ([]byte, error) {
	b := make([]byte, n)
	k, err := r.ReadAt(b, off)
	if k == n {
		return b, nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return b[:k], err
}

// openFile picks the meta page bbolt would use (the valid one with the
// higher transaction id) and checks that the file holds every page that
// meta page counts: a file cut short would otherwise be mapped past its
// end and fault (SIGBUS) on the first read there.
func openFile(r io.ReaderAt, size int64) (*file, error) {
	first, _ := readAt(r, 0, firstPageSize)
	m0, err0 := parseMeta(first)
	pageSize := firstPageSize
	if err0 == nil {
		pageSize = int(m0.pageSize)
		if pageSize < 512 || pageSize > 1<<20 || pageSize&(pageSize-1) != 0 {
			return nil, fmt.Errorf("meta page names a page size of %d bytes", pageSize)
		}
	}
	second, _ := readAt(r, int64(pageSize), pageSize)
	m1, err1 := parseMeta(second)
	if err1 == nil && m1.pageSize != uint32(pageSize) {
		err1 = errors.New("second meta page names another page size")
	}
	var m meta
	switch {
	case err0 != nil && err1 != nil:
		return nil, fmt.Errorf("neither meta page is valid: %v; %v", err0, err1)
	case err0 == nil && (err1 != nil || m0.txid >= m1.txid):
		m = m0
	default:
		m = m1
	}
	if m.pgid < 2 {
		return nil, fmt.Errorf("meta page counts %d pages", m.pgid)
	}
	if need := int64(m.pgid) * int64(pageSize); size < need {
		return nil, fmt.Errorf("the file is %d bytes, its meta page needs %d: it was cut short", size, need)
	}
	return &file{r: r, size: size, pageSize: pageSize, meta: m}, nil
}

// page reads page id with its overflow pages.
func (f *file) page(id uint64) ([]byte, error) {
	if id < 2 || id >= f.meta.pgid {
		return nil, fmt.Errorf("page %d: outside the file's %d pages", id, f.meta.pgid)
	}
	off := int64(id) * int64(f.pageSize)
	p, err := readAt(f.r, off, f.pageSize)
	if err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	if got := le.Uint64(p); got != id {
		return nil, fmt.Errorf("page %d: its header says page %d", id, got)
	}
	overflow := uint64(le.Uint32(p[12:]))
	if id+overflow >= f.meta.pgid {
		return nil, fmt.Errorf("page %d: %d overflow pages run past the file's %d pages", id, overflow, f.meta.pgid)
	}
	if overflow > 0 {
		rest, err := readAt(f.r, off+int64(f.pageSize), int(overflow)*f.pageSize)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", id, err)
		}
		p = append(p, rest...)
	}
	return p, nil
}

// Visitor receives the key/value pairs a walk finds; bucket is the path of
// nested bucket names. Values are copies.
type Visitor func(bucket []string, key, value []byte)

// walker walks the B+tree from the meta page's root bucket.
type walker struct {
	f *file
	// seen pages: a page reached twice is damage (and would loop)
	seen  map[uint64]bool
	visit Visitor
	// bad gets each problem; returning an error stops the walk (a
	// strict check), returning nil skips the damaged part (salvage).
	bad func(error) error
}

func (w *walker) walkPage(id uint64, bucket []string) error {
	if w.seen[id] {
		return w.bad(fmt.Errorf("page %d: reached twice", id))
	}
	w.seen[id] = true
	p, err := w.f.page(id)
	if err != nil {
		return w.bad(err)
	}
	return w.walkElements(p, id, bucket)
}

// walkElements walks the elements of page p (a page read from the file, or
// an inline bucket's page inside a value).
func (w *walker) walkElements(p []byte, id uint64, bucket []string) error {
	if len(p) < pageHeaderSize {
		return w.bad(fmt.Errorf("page %d: cut short", id))
	}
	flags, count := le.Uint16(p[8:]), int(le.Uint16(p[10:]))
	if pageHeaderSize+count*elemSize > len(p) {
		return w.bad(fmt.Errorf("page %d: %d elements do not fit", id, count))
	}
	// bbolt finds keys by binary search: a page whose keys are out of
	// order (a flipped byte in a key) sends its lookups astray, and its
	// freelist check panics on another goroutine, beyond recovery
	var last []byte
	ordered := func(i int, key []byte) error {
		if i > 0 && bytes.Compare(key, last) <= 0 {
			return w.bad(fmt.Errorf("page %d: element %d is out of key order", id, i))
		}
		last = key
		return nil
	}
	switch flags {
	case flagBranch:
		for i := range count {
			e := pageHeaderSize + i*elemSize
			pos, ksize := int(le.Uint32(p[e:])), int(le.Uint32(p[e+4:]))
			if e+pos+ksize > len(p) || pos < 0 {
				if err := w.bad(fmt.Errorf("page %d: branch element %d points outside the page", id, i)); err != nil {
					return err
				}
				continue
			}
			if err := ordered(i, p[e+pos:e+pos+ksize]); err != nil {
				return err
			}
			if err := w.walkPage(le.Uint64(p[e+8:]), bucket); err != nil {
				return err
			}
		}
	case flagLeaf:
		for i := range count {
			e := pageHeaderSize + i*elemSize
			eflags, pos := le.Uint32(p[e:]), int(le.Uint32(p[e+4:]))
			ksize, vsize := int(le.Uint32(p[e+8:])), int(le.Uint32(p[e+12:]))
			end := e + pos + ksize + vsize
			if end > len(p) || end < e {
				if err := w.bad(fmt.Errorf("page %d: leaf element %d points outside the page", id, i)); err != nil {
					return err
				}
				continue
			}
			key, value := p[e+pos:e+pos+ksize], p[e+pos+ksize:end]
			if err := ordered(i, key); err != nil {
				return err
			}
			if eflags&bucketLeafFlag == 0 {
				if w.visit != nil {
					w.visit(bucket, clone(key), clone(value))
				}
				continue
			}
			if err := w.walkBucket(value, append(bucket[:len(bucket):len(bucket)], string(key)), id); err != nil {
				return err
			}
		}
	default:
		return w.bad(fmt.Errorf("page %d: neither a branch nor a leaf (flags %#x)", id, flags))
	}
	return nil
}

func (w *walker) walkBucket(header []byte, bucket []string, in uint64) error {
	if len(header) < bucketHeader {
		return w.bad(fmt.Errorf("page %d: bucket %q has a short header", in, bucket[len(bucket)-1]))
	}
	if root := le.Uint64(header); root != 0 {
		return w.walkPage(root, bucket)
	}
	return w.walkElements(header[bucketHeader:], in, bucket)
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

// check walks the whole tree and the freelist, failing on the first problem.
func (f *file) check() error {
	w := &walker{f: f, seen: map[uint64]bool{}, bad: func(err error) error { return err }}
	if f.meta.freelist != noFreelist {
		p, err := f.page(f.meta.freelist)
		if err != nil {
			return fmt.Errorf("freelist: %w", err)
		}
		if le.Uint16(p[8:]) != flagFreelist {
			return fmt.Errorf("freelist page %d is not a freelist", f.meta.freelist)
		}
	}
	return w.walkPage(f.meta.root, nil)
}

// Walk reads every key/value pair still reachable in the bbolt file at
// path without mapping it, skipping damaged pages; it returns the
// problems it met. It fails only when no meta page is usable.
func Walk(path string, visit Visitor) (problems []error, err error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	f, err := openFile(fh, fi.Size())
	if err != nil {
		// a file cut short: read what is there
		var short *file
		if short, err = openShort(fh, fi.Size()); err != nil {
			return nil, err
		}
		problems = append(problems, errors.New("the file was cut short"))
		f = short
	}
	w := &walker{f: f, seen: map[uint64]bool{}, visit: visit, bad: func(err error) error {
		problems = append(problems, err)
		return nil
	}}
	w.walkPage(f.meta.root, nil)
	return problems, nil
}

// openShort opens a file cut short for salvage: pages past its end read
// as damaged.
func openShort(r io.ReaderAt, size int64) (*file, error) {
	f, err := openFile(r, 1<<62)
	if err != nil {
		return nil, err
	}
	f.size = size
	return f, nil
}

// ScanLeaves reads every leaf page of the file, reachable or not, and
// hands each plain key/value pair to visit with a nil bucket path. Salvage
// uses it to find records whose branch pages were lost; what it finds
// must carry its own proof (a signature), because old copies of pages and
// pages of any bucket come through alike.
func ScanLeaves(path string, visit Visitor) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return err
	}
	pageSize := firstPageSize
	if f, err := openShort(fh, fi.Size()); err == nil {
		pageSize = f.pageSize
	}
	w := &walker{seen: map[uint64]bool{}, visit: visit, bad: func(error) error { return nil }}
	buf := make([]byte, pageSize)
	for off := int64(2 * pageSize); off+pageHeaderSize <= fi.Size(); off += int64(pageSize) {
		n, _ := fh.ReadAt(buf, off)
		if n < pageHeaderSize || le.Uint16(buf[8:]) != flagLeaf {
			continue
		}
		overflow := int64(le.Uint32(buf[12:]))
		span := min((1+overflow)*int64(pageSize), fi.Size()-off)
		p, _ := readAt(fh, off, int(span))
		// buckets with pages of their own come through the scan too
		w.walkLeafPlain(p)
	}
	return nil
}

// walkLeafPlain hands over the plain pairs of one leaf page.
func (w *walker) walkLeafPlain(p []byte) {
	if len(p) < pageHeaderSize {
		return
	}
	count := int(le.Uint16(p[10:]))
	for i := 0; i < count && pageHeaderSize+(i+1)*elemSize <= len(p); i++ {
		e := pageHeaderSize + i*elemSize
		eflags, pos := le.Uint32(p[e:]), int(le.Uint32(p[e+4:]))
		ksize, vsize := int(le.Uint32(p[e+8:])), int(le.Uint32(p[e+12:]))
		end := e + pos + ksize + vsize
		if end > len(p) || end < e {
			continue
		}
		if eflags&bucketLeafFlag != 0 {
			// an inline bucket's page lives in the value
			if v := p[e+pos+ksize : end]; len(v) > bucketHeader && le.Uint64(v) == 0 {
				w.walkLeafPlain(v[bucketHeader:])
			}
			continue
		}
		w.visit(nil, clone(p[e+pos:e+pos+ksize]), clone(p[e+pos+ksize:end]))
	}
}
