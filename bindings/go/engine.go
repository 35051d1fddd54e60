package sectrans

/*
#include <sectrans/sectrans.h>

// One step of a session in a single cgo call: feed the ciphertext that
// arrived (and the end of stream), run the operation, and take queued
// ciphertext into out.
enum { GO_HANDSHAKE, GO_READ, GO_WRITE, GO_CLOSE, GO_SHUTDOWN_WRITE, GO_TAKE };

typedef struct {
  sectrans_status status;
  size_t processed;   // plaintext bytes read or written
  size_t out_len;     // ciphertext bytes copied into out
  size_t pending;     // ciphertext still queued after that
  int wants;          // sectrans_wants after the operation
} go_step_result;

static sectrans_status go_run(sectrans_context *ctx, int op, void *buf,
                              size_t len, size_t *processed) {
  switch (op) {
  case GO_HANDSHAKE: return sectrans_handshake(ctx);
  case GO_READ: return sectrans_read(ctx, buf, len, processed);
  case GO_WRITE: return sectrans_write(ctx, buf, len, processed);
  case GO_CLOSE: return sectrans_close(ctx);
  case GO_SHUTDOWN_WRITE: return sectrans_shutdown_write(ctx);
  }
  return SECTRANS_SUCCESS; // GO_TAKE: only collect output
}

static void go_step(sectrans_context *ctx, int op, const void *in,
                    size_t in_len, int eof, void *buf, size_t len, void *out,
                    size_t out_cap, go_step_result *r) {
  r->processed = 0;
  r->out_len = 0;
  r->status = in_len > 0 ? sectrans_feed_input(ctx, in, in_len) : 0;
  if (r->status == 0 && eof)
    r->status = sectrans_feed_eof(ctx);
  if (r->status == 0)
    r->status = go_run(ctx, op, buf, len, &r->processed);
  if (out_cap > 0 && sectrans_take_output(ctx, out, &out_cap) == 0)
    r->out_len = out_cap;
  r->pending = 0;
  sectrans_output_pending(ctx, &r->pending);
  r->wants = sectrans_wants(ctx);
}
*/
import "C"

import (
	"net"
	"unsafe"
)

// Operations of one step.
const (
	opHandshake     = C.GO_HANDSHAKE
	opRead          = C.GO_READ
	opWrite         = C.GO_WRITE
	opClose         = C.GO_CLOSE
	opShutdownWrite = C.GO_SHUTDOWN_WRITE
	opTake          = C.GO_TAKE
)

// Library status codes the session loop acts on.
const (
	statusWouldBlock        = C.SECTRANS_WOULD_BLOCK
	statusClosedGraceful    = C.SECTRANS_CLOSED_GRACEFUL
	statusPeerAuthCompleted = C.SECTRANS_PEER_AUTH_COMPLETED
	statusClientHello       = C.SECTRANS_CLIENT_HELLO_RECEIVED
	wantRead                = C.SECTRANS_WANT_READ
)

// recordOverhead bounds the bytes a TLS record adds to its plaintext.
const recordOverhead = 64

// step describes one call into the library.
type step struct {
	op     C.int
	in     []byte // ciphertext that arrived, fed first
	eof    bool   // the stream ended after in
	buf    []byte // plaintext to write, or room to read into
	outCap int    // room for the ciphertext the call produces
}

// stepResult is what one step did.
type stepResult struct {
	status    C.sectrans_status
	processed int
	wants     int
	err       error // an *Error for fatal statuses, with the context's detail
}

// placeholder stands in for an empty buffer, so that every buffer argument
// can be written as unsafe.Pointer(&b[0]).
var placeholder [1]byte

// nonEmpty returns b, or placeholder when b is empty (the length passed to
// C stays len of the original).
func nonEmpty(b []byte) []byte {
	if len(b) == 0 {
		return placeholder[:]
	}
	return b
}

// run makes one step under the context lock, queues the ciphertext it
// produced in order, and reports whether anything is queued to flush.
func (c *Conn) run(s step, opName string) (stepResult, bool) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if c.s.ctx == nil {
		return stepResult{err: net.ErrClosed}, false
	}
	out := getBuffer(s.outCap)
	var r C.go_step_result
	eof := C.int(0)
	if s.eof {
		eof = 1
	}
	// Buffers go to C as unsafe.Pointer(&b[0]) written out in the call: cgo
	// then checks only the slice, not the whole object around it (a Read
	// buffer may be a field of a struct that holds pointers, as in net/http).
	in, buf, dst := nonEmpty(s.in), nonEmpty(s.buf), nonEmpty(out)
	C.go_step(c.s.ctx, s.op, unsafe.Pointer(&in[0]), C.size_t(len(s.in)), eof,
		unsafe.Pointer(&buf[0]), C.size_t(len(s.buf)), unsafe.Pointer(&dst[0]), C.size_t(len(out)), &r)
	res := stepResult{status: r.status, processed: int(r.processed), wants: int(r.wants)}
	if r.out_len > 0 {
		c.enqueueLocked(out[:r.out_len])
	} else {
		putBuffers([][]byte{out})
	}
	for pending := int(r.pending); pending > 0; pending = int(r.pending) {
		more := make([]byte, pending)
		C.go_step(c.s.ctx, opTake, nil, 0, 0, nil, 0, unsafe.Pointer(&more[0]), C.size_t(pending), &r)
		if r.out_len == 0 {
			break
		}
		c.enqueueLocked(more[:r.out_len])
	}
	switch res.status {
	case 0, statusWouldBlock, statusClosedGraceful, statusPeerAuthCompleted, statusClientHello:
	default:
		res.err = statusError(opName, res.status, c.s.ctx)
	}
	return res, len(c.s.queue) > 0
}
