package sectrans

import "sync"

// Output buffers: every library step copies its ciphertext into one, which
// joins the output queue and comes back here once the flusher wrote it.
// Reusing them spares an allocation (and its zeroing) per record.

// pooledSize is the size of pooled buffers: a full 16 KiB record and its
// overhead, which covers what a handshake step or a 16 KiB Write makes.
const pooledSize = 16*1024 + 2*recordOverhead

var outputBuffers = sync.Pool{New: func() any { return new([pooledSize]byte) }}

// getBuffer returns a buffer of length n, pooled when n fits (nil for 0).
func getBuffer(n int) []byte {
	if n == 0 {
		return nil
	}
	if n > pooledSize {
		return make([]byte, n)
	}
	return outputBuffers.Get().(*[pooledSize]byte)[:n]
}

// putBuffers gives written buffers back (large ones go to the GC).
func putBuffers(bufs [][]byte) {
	for _, b := range bufs {
		if cap(b) == pooledSize {
			outputBuffers.Put((*[pooledSize]byte)(b[:pooledSize]))
		}
	}
}
