// Package powercut is a FUSE file system for tests that loses power the
// way a machine does: it keeps every write in memory and, on a cut, throws
// away all that was not made durable. A file's content is durable once the
// file is fsync'd (or fdatasync'd); a create, rename or unlink is durable
// once its folder is fsync'd. Tests run the program under test in a child
// process (bbolt reads through mmap, and serving FUSE from the process that
// faults on it can deadlock), cut after the k-th operation that changes
// something, and mount afresh after each cut so no page cache survives.
package powercut

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// mnode is a file or folder of the model, as written and as durable.
type mnode struct {
	ino          uint64
	dir          bool
	mode         uint32
	data, synced content           // files
	cur, dur     map[string]*mnode // folders
}

// content is a file's bytes in pages that are never changed in place, so
// that fsync and a power cut copy only the page table.
type content struct {
	size  int64
	pages map[int64][]byte // page number → pageSize bytes; absent pages are zeros
}

const pageSize = 4096

func (c content) clone() content {
	out := content{size: c.size, pages: make(map[int64][]byte, len(c.pages))}
	for n, p := range c.pages {
		out.pages[n] = p
	}
	return out
}

func (c *content) read(dest []byte, off int64) int {
	if off >= c.size {
		return 0
	}
	n := int(min(int64(len(dest)), c.size-off))
	for done := 0; done < n; {
		pn, po := (off+int64(done))/pageSize, int((off+int64(done))%pageSize)
		k := min(n-done, pageSize-po)
		if p, ok := c.pages[pn]; ok {
			copy(dest[done:done+k], p[po:po+k])
		} else {
			clear(dest[done : done+k])
		}
		done += k
	}
	return n
}

func (c *content) write(data []byte, off int64) {
	if c.pages == nil {
		c.pages = map[int64][]byte{}
	}
	for done := 0; done < len(data); {
		pn, po := (off+int64(done))/pageSize, int((off+int64(done))%pageSize)
		k := min(len(data)-done, pageSize-po)
		p := make([]byte, pageSize)
		if old, ok := c.pages[pn]; ok {
			copy(p, old)
		}
		copy(p[po:], data[done:done+k])
		c.pages[pn] = p
		done += k
	}
	c.size = max(c.size, off+int64(len(data)))
}

func (c *content) truncate(size int64) {
	if size < c.size {
		for pn := range c.pages {
			if pn*pageSize >= size {
				delete(c.pages, pn)
			}
		}
		if po := int(size % pageSize); po != 0 {
			if old, ok := c.pages[size/pageSize]; ok {
				p := make([]byte, pageSize)
				copy(p, old[:po])
				c.pages[size/pageSize] = p
			}
		}
	}
	c.size = size
}

// FS is the model behind the mounts: it lives across power cuts.
type FS struct {
	mu      sync.Mutex
	root    *mnode
	nextIno uint64
	ops     int // operations that changed something since Arm
	cutAt   int // 0: never
	dead    bool
	cut     chan struct{}
}

// New returns an empty file system.
func New() *FS {
	f := &FS{nextIno: 2}
	f.root = &mnode{ino: 1, dir: true, mode: 0o755, cur: map[string]*mnode{}, dur: map[string]*mnode{}}
	return f
}

// change counts one operation that changes something; false when the
// power is off (the operation fails with EIO and changes nothing).
// Called with f.mu held. The k-th operation still happens; the cut comes
// right after it.
func (f *FS) change() bool {
	if f.dead {
		return false
	}
	f.ops++
	if f.cutAt > 0 && f.ops >= f.cutAt {
		f.dead = true
		close(f.cut)
	}
	return true
}

// arm sets the cut after k more changing operations (0: no cut).
func (f *FS) arm(k int) <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ops, f.cutAt, f.dead, f.cut = 0, k, false, make(chan struct{})
	return f.cut
}

// powerOff loses everything not durable.
func (f *FS) powerOff() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dead = true
	var reset func(m *mnode)
	reset = func(m *mnode) {
		if !m.dir {
			m.data = m.synced.clone()
			return
		}
		m.cur = map[string]*mnode{}
		for name, c := range m.dur {
			m.cur[name] = c
			reset(c)
		}
	}
	reset(f.root)
}

// Files lists the durable files (path → size), for test messages.
func (f *FS) Files() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	var walk func(prefix string, m *mnode)
	walk = func(prefix string, m *mnode) {
		for name, c := range m.cur {
			if c.dir {
				walk(prefix+name+"/", c)
			} else {
				out[prefix+name] = int(c.data.size)
			}
		}
	}
	walk("", f.root)
	return out
}

// node is one mount's view of an mnode.
type node struct {
	fs.Inode
	f *FS
	m *mnode
}

var (
	_ fs.NodeLookuper  = (*node)(nil)
	_ fs.NodeCreater   = (*node)(nil)
	_ fs.NodeMkdirer   = (*node)(nil)
	_ fs.NodeRenamer   = (*node)(nil)
	_ fs.NodeUnlinker  = (*node)(nil)
	_ fs.NodeRmdirer   = (*node)(nil)
	_ fs.NodeReaddirer = (*node)(nil)
	_ fs.NodeOpener    = (*node)(nil)
	_ fs.NodeReader    = (*node)(nil)
	_ fs.NodeWriter    = (*node)(nil)
	_ fs.NodeFsyncer   = (*node)(nil)
	_ fs.NodeGetattrer = (*node)(nil)
	_ fs.NodeSetattrer = (*node)(nil)
	_ fs.NodeFlusher   = (*node)(nil)
)

func (n *node) attr(out *fuse.Attr) {
	out.Ino = n.m.ino
	out.Mode = n.m.mode
	if n.m.dir {
		out.Mode |= syscall.S_IFDIR
		out.Nlink = 2
	} else {
		out.Mode |= syscall.S_IFREG
		out.Nlink = 1
		out.Size = uint64(n.m.data.size)
		out.Blocks = (out.Size + 511) / 512
	}
	out.Blksize = 4096
}

func (n *node) child(ctx context.Context, m *mnode, out *fuse.EntryOut) *fs.Inode {
	c := &node{f: n.f, m: m}
	c.attr(&out.Attr)
	mode := uint32(syscall.S_IFREG)
	if m.dir {
		mode = syscall.S_IFDIR
	}
	return n.NewInode(ctx, c, fs.StableAttr{Mode: mode, Ino: m.ino})
}

func (n *node) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	if n.f.dead {
		return nil, syscall.EIO
	}
	m, ok := n.m.cur[name]
	if !ok {
		return nil, syscall.ENOENT
	}
	return n.child(ctx, m, out), 0
}

func (n *node) newChild(name string, dir bool, mode uint32) (*mnode, syscall.Errno) {
	if !n.f.change() {
		return nil, syscall.EIO
	}
	if _, ok := n.m.cur[name]; ok {
		return nil, syscall.EEXIST
	}
	m := &mnode{ino: n.f.nextIno, dir: dir, mode: mode & 0o7777}
	if dir {
		m.cur, m.dur = map[string]*mnode{}, map[string]*mnode{}
	}
	n.f.nextIno++
	n.m.cur[name] = m
	return m, 0
}

func (n *node) Create(ctx context.Context, name string, flags, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	m, errno := n.newChild(name, false, mode)
	if errno != 0 {
		return nil, nil, 0, errno
	}
	return n.child(ctx, m, out), nil, 0, 0
}

func (n *node) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	m, errno := n.newChild(name, true, mode)
	if errno != 0 {
		return nil, errno
	}
	return n.child(ctx, m, out), 0
}

func (n *node) Rename(ctx context.Context, name string, newParent fs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	if flags != 0 {
		return syscall.ENOTSUP
	}
	if !n.f.change() {
		return syscall.EIO
	}
	m, ok := n.m.cur[name]
	if !ok {
		return syscall.ENOENT
	}
	to := newParent.(*node).m
	delete(n.m.cur, name)
	to.cur[newName] = m
	return 0
}

func (n *node) remove(name string) syscall.Errno {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	if !n.f.change() {
		return syscall.EIO
	}
	if _, ok := n.m.cur[name]; !ok {
		return syscall.ENOENT
	}
	delete(n.m.cur, name)
	return 0
}

func (n *node) Unlink(ctx context.Context, name string) syscall.Errno { return n.remove(name) }
func (n *node) Rmdir(ctx context.Context, name string) syscall.Errno  { return n.remove(name) }

func (n *node) Readdir(ctx context.Context) (fs.DirStream, syscall.Errno) {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	if n.f.dead {
		return nil, syscall.EIO
	}
	var list []fuse.DirEntry
	for name, m := range n.m.cur {
		mode := uint32(syscall.S_IFREG)
		if m.dir {
			mode = syscall.S_IFDIR
		}
		list = append(list, fuse.DirEntry{Name: name, Ino: m.ino, Mode: mode})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return fs.NewListDirStream(list), 0
}

func (n *node) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	if n.f.dead {
		return nil, 0, syscall.EIO
	}
	if flags&syscall.O_TRUNC != 0 {
		if !n.f.change() {
			return nil, 0, syscall.EIO
		}
		n.m.data = content{}
	}
	return nil, 0, 0
}

func (n *node) Read(ctx context.Context, _ fs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	if n.f.dead {
		return nil, syscall.EIO
	}
	k := n.m.data.read(dest, off)
	return fuse.ReadResultData(dest[:k]), 0
}

func (n *node) Write(ctx context.Context, _ fs.FileHandle, data []byte, off int64) (uint32, syscall.Errno) {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	if !n.f.change() {
		return 0, syscall.EIO
	}
	n.m.data.write(data, off)
	return uint32(len(data)), 0
}

// Fsync makes a file's content, or a folder's entries, durable.
func (n *node) Fsync(ctx context.Context, _ fs.FileHandle, flags uint32) syscall.Errno {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	if !n.f.change() {
		return syscall.EIO
	}
	if n.m.dir {
		n.m.dur = map[string]*mnode{}
		for name, c := range n.m.cur {
			n.m.dur[name] = c
		}
		return 0
	}
	n.m.synced = n.m.data.clone()
	return 0
}

func (n *node) Flush(ctx context.Context, _ fs.FileHandle) syscall.Errno { return 0 }

func (n *node) Getattr(ctx context.Context, _ fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	if n.f.dead {
		return syscall.EIO
	}
	n.attr(&out.Attr)
	return 0
}

func (n *node) Setattr(ctx context.Context, _ fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	if sz, ok := in.GetSize(); ok && !n.m.dir {
		if !n.f.change() {
			return syscall.EIO
		}
		n.m.data.truncate(int64(sz))
	}
	if mode, ok := in.GetMode(); ok {
		n.m.mode = mode & 0o7777
	}
	n.attr(&out.Attr)
	return 0
}

// Round is the outcome of one child run.
type Round struct {
	Lines []string // what the child printed on standard output, line by line
	Cut   bool     // the power was cut (else the child ended first; the power went off after)
	Ops   int      // operations that changed something during the round
}

// Run mounts the file system at dir, starts cmd, cuts the power after k
// changing operations (0: only after cmd ends), kills cmd, unmounts and
// throws away what was not durable.
func (f *FS) Run(dir string, k int, cmd *exec.Cmd) (Round, error) {
	zero := time.Duration(0)
	server, err := fs.Mount(dir, &node{f: f, m: f.root}, &fs.Options{
		MountOptions: fuse.MountOptions{FsName: "powercut", Name: "powercut", DisableXAttrs: true},
		EntryTimeout: &zero, AttrTimeout: &zero, NegativeTimeout: &zero,
	})
	if err != nil {
		return Round{}, fmt.Errorf("mount: %w", err)
	}
	cut := f.arm(k)
	var r Round
	stdout, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		server.Unmount()
		return r, err
	}
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	done := make(chan error, 1)
	go func() {
		for l := range lines {
			r.Lines = append(r.Lines, l)
		}
		done <- cmd.Wait()
	}()
	hung := false
	select {
	case <-cut:
		r.Cut = true
		cmd.Process.Kill()
		<-done
	case <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-done
		hung = true
	}
	f.mu.Lock()
	r.Ops = f.ops
	f.mu.Unlock()
	f.powerOff()
	var uerr error
	for range 50 { // the kernel may take a moment to let go of a killed child's files
		if uerr = server.Unmount(); uerr == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if uerr != nil {
		return r, fmt.Errorf("unmount: %w", uerr)
	}
	server.Wait()
	if hung {
		return r, fmt.Errorf("the child neither ended nor reached the cut in a minute (%d operations)", r.Ops)
	}
	return r, nil
}

// Spread is the cut schedule of round i: rounds come in groups of 25,
// each group starting from an empty file system (fresh) so that the cuts
// fall on a store's creation too, and cutting after 1, 8, 15 … operations,
// shifted by two per group.
func Spread(i, step int) (k int, fresh bool) {
	g, j := i/25, i%25
	return 1 + j*step + g*2, j == 0
}
