package sectrans

/*
#include <sectrans/sectrans.h>
*/
import "C"

import (
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Conn is a TLS connection over a net.Conn, the twin of *tls.Conn. It
// satisfies net.Conn: Read and Write may run at the same time on different
// goroutines.
//
// Locking: session.mu guards the C context and the output queue and is held only
// for library calls, never across network I/O. Ciphertext joins the queue
// in the order the library produced it; one goroutine at a time (the
// flusher) writes the queue to the network, so records never reorder.
// Reads are serialised by readMu, writes by writeMu, handshakes by
// handshakeMu.
type Conn struct {
	conn     net.Conn
	config   *Config
	isClient bool
	// serverName (client): sent as SNI and verified; Config.ServerName or
	// the host Dial was given.
	serverName string
	native     *nativeConfig // keeps the library config alive

	handshakeMu   sync.Mutex
	handshakeErr  error       // set once, before handshakeDone
	handshakeDone atomic.Bool // the handshake ended (well or not)
	state         connState   // what ConnectionState reports, cached

	writeMu sync.Mutex // one Write at a time, so a Write's bytes stay together

	readMu sync.Mutex
	rawIn  []byte // network reads land here (readMu or handshakeMu)
	eofIn  bool   // the network stream ended and the library was told

	s       *session // the C context and the output queue
	initErr error    // the context could not be made

	closed     atomic.Bool
	peerClosed atomic.Bool // Read saw close_notify; the library answered it
}

// session is the part of a Conn that ctx-locked state lives in. It is a
// separate object because its Cond points at its own mutex: inside the Conn
// that self-reference would keep the Conn's finalizer from ever running.
type session struct {
	mu         sync.Mutex
	ctx        *C.sectrans_context // nil once freed
	queue      [][]byte            // ciphertext not yet written, in order
	queuedSeq  uint64              // buffers ever queued
	writtenSeq uint64              // buffers written to the network
	flushing   bool                // a goroutine is writing the queue
	writeErr   error               // sticky: the record stream broke
	flushed    sync.Cond           // on mu: writtenSeq, flushing or writeErr changed
}

// liveContexts counts library contexts not yet freed (for leak tests).
var liveContexts atomic.Int64

// closeNotifyTimeout bounds how long Close waits to send close_notify, as
// crypto/tls does.
const closeNotifyTimeout = 5 * time.Second

// netReadSize is the size of one read from the network.
const netReadSize = 64 * 1024

// Client returns a client-side TLS connection over conn. config must be
// non-nil and set ServerName or InsecureSkipVerify.
func Client(conn net.Conn, config *Config) *Conn {
	name := ""
	if config != nil {
		name = config.ServerName
	}
	return newConn(conn, config, true, name)
}

// Server returns a server-side TLS connection over conn. config must be
// non-nil and have Certificates or GetCertificate.
func Server(conn net.Conn, config *Config) *Conn {
	return newConn(conn, config, false, "")
}

// newConn makes the Conn and its library context; a failure is kept in
// initErr and returned by the handshake, as Client and Server return no error.
func newConn(conn net.Conn, config *Config, isClient bool, serverName string) *Conn {
	c := &Conn{conn: conn, config: config, isClient: isClient, serverName: serverName, s: &session{}}
	c.s.flushed.L = &c.s.mu
	c.initErr = c.createContext()
	return c
}

// createContext makes the library context and sets the per-connection
// settings; a finalizer frees it if Close is never called.
func (c *Conn) createContext() error {
	if libraryErr != nil {
		return libraryErr
	}
	if c.config == nil {
		return errors.New("sectrans: nil Config")
	}
	native, err := c.config.nativeFor(c.isClient)
	if err != nil {
		return err
	}
	c.native = native
	var ctx *C.sectrans_context
	if status := C.sectrans_context_create_with_config(native.ptr, &ctx); status != 0 {
		return statusError("context", status, nil)
	}
	c.s.ctx = ctx
	liveContexts.Add(1)
	runtime.SetFinalizer(c, (*Conn).freeContext)
	if c.isClient {
		return c.configureClient()
	}
	return nil
}

// freeContext releases the library context (idempotent).
func (c *Conn) freeContext() {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if c.s.ctx != nil {
		C.sectrans_context_release(c.s.ctx)
		c.s.ctx = nil
		liveContexts.Add(-1)
	}
}

// NetConn returns the underlying connection. Writing to it or reading from
// it directly corrupts the TLS session.
func (c *Conn) NetConn() net.Conn { return c.conn }

// LocalAddr returns the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// RemoteAddr returns the remote network address.
func (c *Conn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// SetDeadline sets the read and write deadlines of the underlying
// connection. After a Write times out the TLS stream is broken and every
// later Write returns the same error, as with crypto/tls.
func (c *Conn) SetDeadline(t time.Time) error { return c.conn.SetDeadline(t) }

// SetReadDeadline sets the read deadline of the underlying connection. A
// Read that times out can be retried.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.conn.SetReadDeadline(t) }

// SetWriteDeadline sets the write deadline of the underlying connection.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.conn.SetWriteDeadline(t) }

// enqueueLocked appends ciphertext to the output queue (s.mu held).
func (c *Conn) enqueueLocked(b []byte) {
	c.s.queue = append(c.s.queue, b)
	c.s.queuedSeq++
}

// flush writes queued ciphertext to the network. With wait it returns once
// everything queued so far was written (or writing failed); without it,
// it leaves the work to a goroutine already flushing, so a Read never
// waits behind a blocked Write.
func (c *Conn) flush(wait bool) error {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	target := c.s.queuedSeq
	for c.s.flushing && c.s.writeErr == nil && c.s.writtenSeq < target {
		if !wait {
			return nil
		}
		c.s.flushed.Wait()
	}
	if c.s.writeErr != nil || c.s.writtenSeq >= target {
		return c.s.writeErr
	}
	c.s.flushing = true
	for len(c.s.queue) > 0 && c.s.writeErr == nil {
		written, seq := c.s.queue, c.s.queuedSeq
		c.s.queue = nil
		c.s.mu.Unlock()
		batch := net.Buffers(written)
		_, err := batch.WriteTo(c.conn) // consumes batch, not written
		putBuffers(written)
		c.s.mu.Lock()
		if err != nil {
			c.s.writeErr = permanent(err)
		} else {
			c.s.writtenSeq = seq
		}
		c.s.flushed.Broadcast()
	}
	c.s.flushing = false
	c.s.flushed.Broadcast()
	return c.s.writeErr
}

// readNetwork reads the next ciphertext from the network. It reports
// end of stream as eof (to feed to the library once) and returns other
// errors, which leave the session usable (a read timeout can be retried).
func (c *Conn) readNetwork() (in []byte, eof bool, err error) {
	if c.eofIn {
		return nil, false, io.ErrUnexpectedEOF
	}
	if c.rawIn == nil {
		c.rawIn = make([]byte, netReadSize)
	}
	n, err := c.conn.Read(c.rawIn)
	if n > 0 {
		return c.rawIn[:n], false, nil
	}
	if err == io.EOF {
		c.eofIn = true
		return nil, true, nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return nil, false, err
}

// Handshake runs the handshake if it has not run yet. Read and Write call
// it implicitly. A failed handshake returns the same error on every call.
func (c *Conn) Handshake() error {
	return c.HandshakeContext(context.Background())
}

// HandshakeContext is Handshake with a context: when ctx ends first, the
// handshake is interrupted (through the connection's deadline) and returns
// ctx.Err().
func (c *Conn) HandshakeContext(ctx context.Context) error {
	if c.handshakeDone.Load() {
		return c.handshakeErr
	}
	if ctx.Done() == nil {
		return c.handshakeOnce()
	}
	// When ctx ends first, a deadline in the past interrupts the network
	// I/O; the connection is then unusable, as crypto/tls closes it, and
	// the handshake reports ctx.Err() even if it got through.
	stop, interrupted := make(chan struct{}), make(chan error, 1)
	go func() {
		select {
		case <-ctx.Done():
			_ = c.conn.SetDeadline(time.Unix(1, 0))
			interrupted <- ctx.Err()
		case <-stop:
			interrupted <- nil
		}
	}()
	err := c.handshakeOnce()
	close(stop)
	if ctxErr := <-interrupted; ctxErr != nil {
		return ctxErr
	}
	return err
}

// handshakeOnce runs the handshake the first time and remembers its result.
func (c *Conn) handshakeOnce() error {
	c.handshakeMu.Lock()
	defer c.handshakeMu.Unlock()
	if c.handshakeDone.Load() {
		return c.handshakeErr
	}
	err := c.initErr
	if err == nil {
		err = c.handshakeLoop()
	}
	c.handshakeErr = err
	c.handshakeDone.Store(true)
	return err
}

// handshakeLoop drives the handshake to its end, stopping at the break
// points where Go code runs (GetCertificate, VerifyPeerCertificate).
func (c *Conn) handshakeLoop() error {
	var in []byte
	var eof bool
	for {
		r, queued := c.run(step{op: opHandshake, in: in, eof: eof, outCap: 16 * 1024}, "handshake")
		in, eof = nil, false
		if queued {
			if err := c.flush(true); err != nil {
				return err
			}
		}
		if r.err != nil {
			return r.err
		}
		var err error
		switch r.status {
		case 0:
			return nil
		case statusWouldBlock:
			if r.wants&wantRead != 0 {
				in, eof, err = c.readNetwork()
			}
		case statusClientHello:
			err = c.selectCertificate()
		case statusPeerAuthCompleted:
			err = c.verifyPeer()
		default:
			err = statusError("handshake", r.status, nil)
		}
		if err != nil {
			return err
		}
	}
}

// Read reads plaintext, running the handshake first if needed. The peer's
// close_notify gives io.EOF.
func (c *Conn) Read(b []byte) (int, error) {
	if err := c.Handshake(); err != nil {
		return 0, err
	}
	if len(b) == 0 {
		return 0, nil
	}
	c.readMu.Lock()
	defer c.readMu.Unlock()
	var in []byte
	var eof bool
	for {
		r, queued := c.run(step{op: opRead, in: in, eof: eof, buf: b}, "read")
		in, eof = nil, false
		if queued {
			// A read's own output (a KeyUpdate answer, the reply to the
			// peer's close_notify) leaves on the way. When it cannot, the
			// next Write reports it; what was read is good all the same.
			_ = c.flush(false)
		}
		if r.processed > 0 {
			return r.processed, nil
		}
		if r.err != nil {
			return 0, r.err
		}
		switch r.status {
		case statusClosedGraceful:
			c.peerClosed.Store(true)
			return 0, io.EOF
		case statusWouldBlock:
			var err error
			if in, eof, err = c.readNetwork(); err != nil {
				return 0, err
			}
		default:
			return 0, statusError("read", r.status, nil)
		}
	}
}

// maxWriteChunk is the most plaintext one library call encrypts.
const maxWriteChunk = 64 * 1024

// Write encrypts and sends b, running the handshake first if needed. It
// returns once the records are written to the network.
func (c *Conn) Write(b []byte) (int, error) {
	if err := c.Handshake(); err != nil {
		return 0, err
	}
	if c.closed.Load() {
		return 0, net.ErrClosed
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	written := 0
	for len(b) > 0 {
		chunk := b
		if len(chunk) > maxWriteChunk {
			chunk = chunk[:maxWriteChunk]
		}
		outCap := len(chunk) + (len(chunk)/16384+1)*recordOverhead
		r, _ := c.run(step{op: opWrite, buf: chunk, outCap: outCap}, "write")
		if r.err == nil && r.processed == 0 {
			r.err = statusError("write", r.status, nil) // e.g. after CloseWrite
		}
		if r.err != nil {
			return written, r.err
		}
		if err := c.flush(true); err != nil {
			return written, err
		}
		written += r.processed
		b = b[r.processed:]
	}
	return written, nil
}

// CloseWrite sends close_notify and keeps reading until the peer's (a
// half-close). It needs a completed handshake.
func (c *Conn) CloseWrite() error {
	if !c.handshakeDone.Load() || c.handshakeErr != nil {
		return errors.New("sectrans: CloseWrite called before handshake complete")
	}
	r, _ := c.run(step{op: opShutdownWrite}, "close write")
	if err := c.flush(true); err != nil {
		return err
	}
	return r.err
}

// maxArrivedAtClose bounds what Close takes in from a peer that streams.
const maxArrivedAtClose = 1 << 20

// takeInArrived hands the library what already arrived on the socket and
// nobody read (the server's session tickets, typically), without waiting;
// the library's close processes it. A socket closed over unread bytes sends
// a reset instead of a FIN, and a reset makes the peer drop what it had not
// read yet of ours: the tail of a write-then-close. Skipped while a Read
// runs (it is reading the socket itself) and for connections that are not
// sockets.
func (c *Conn) takeInArrived() {
	sc, ok := c.conn.(syscall.Conn)
	if !ok || !c.readMu.TryLock() {
		return
	}
	defer c.readMu.Unlock()
	raw, err := sc.SyscallConn()
	if err != nil || c.eofIn {
		return
	}
	if c.rawIn == nil {
		c.rawIn = make([]byte, netReadSize)
	}
	for taken := 0; taken < maxArrivedAtClose; {
		n := 0
		// Go's sockets are non-blocking: this read never waits.
		err := raw.Read(func(fd uintptr) bool {
			n, _ = syscall.Read(int(fd), c.rawIn)
			return true
		})
		if err != nil || n <= 0 {
			return
		}
		c.run(step{op: opTake, in: c.rawIn[:n]}, "close")
		taken += n
	}
}

// Close sends close_notify (waiting at most 5 seconds for the network),
// frees the library context and closes the underlying connection. Later
// calls return net.ErrClosed, as with crypto/tls.
func (c *Conn) Close() error {
	if !c.closed.CompareAndSwap(false, true) {
		return net.ErrClosed
	}
	var alertErr error
	// After the peer's close_notify the library has sent its answer (or
	// failed to, to a peer that hung up: nothing anyone needs to hear).
	if c.handshakeDone.Load() && c.handshakeErr == nil && !c.peerClosed.Load() {
		c.takeInArrived()
		_ = c.conn.SetWriteDeadline(time.Now().Add(closeNotifyTimeout))
		c.run(step{op: opClose}, "close")
		if err := c.flush(true); err != nil {
			alertErr = errors.New("sectrans: failed to send close_notify (the connection was closed anyway): " + err.Error())
		}
	}
	err := c.conn.Close()
	c.freeContext()
	runtime.SetFinalizer(c, nil)
	if err != nil {
		return err
	}
	return alertErr
}
