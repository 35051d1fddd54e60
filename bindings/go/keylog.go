package sectrans

/*
#include <stdint.h>
#include <sectrans/sectrans.h>
sectrans_status sectrans_go_set_keylog(sectrans_config *config, uintptr_t handle);
*/
import "C"

import (
	"io"
	"runtime/cgo"
)

// keyLogHandle is the cgo.Handle the library's key log callback carries
// (C keeps no Go pointer); 0 when there is none.
type keyLogHandle cgo.Handle

// delete frees the handle (once, from the config's finalizer).
func (h keyLogHandle) delete() {
	if h != 0 {
		cgo.Handle(h).Delete()
	}
}

// applyKeyLog installs the C trampoline with a handle to KeyLogWriter.
func (c *Config) applyKeyLog(n *nativeConfig, _ bool) error {
	if c.KeyLogWriter == nil {
		return nil
	}
	n.keylog = keyLogHandle(cgo.NewHandle(c.KeyLogWriter))
	return check("KeyLogWriter", C.sectrans_go_set_keylog(n.ptr, C.uintptr_t(n.keylog)))
}

// sectransGoKeyLog receives one key log line from the library (on the
// goroutine that runs the handshake) and writes it with a newline.
//
//export sectransGoKeyLog
func sectransGoKeyLog(handle C.uintptr_t, line *C.char) {
	w := cgo.Handle(handle).Value().(io.Writer)
	_, _ = io.WriteString(w, C.GoString(line)+"\n")
}
