package sectrans

/*
#include <sectrans/sectrans.h>
*/
import "C"

import (
	"crypto/tls"
	"fmt"
	"reflect"
	"unsafe"
)

// ExportKeyingMaterial returns length bytes of keying material derived from
// the session's secrets (RFC 5705 for TLS 1.2, RFC 8446 section 7.5 for
// TLS 1.3), as (*tls.ConnectionState).ExportKeyingMaterial does: a nil
// context exports without a context, which in TLS 1.2 differs from an empty
// one; the labels RFC 5705 reserves are refused in TLS 1.2. It is also
// what ConnectionState().ExportKeyingMaterial calls. The peer exporting
// with the same arguments gets the same bytes. Bounds (the library's):
// length up to 8160, label up to 249 bytes, context up to 65535 bytes. It
// fails (an *Error) unless the connection is established and open.
func (c *Conn) ExportKeyingMaterial(label string, context []byte, length int) ([]byte, error) {
	if length < 0 {
		return nil, &Error{Op: "ExportKeyingMaterial", Status: int32(C.SECTRANS_ERR_PARAM), Reason: "negative length"}
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	ctx := c.s.ctx
	if ctx == nil {
		return nil, &Error{Op: "ExportKeyingMaterial", Status: int32(C.SECTRANS_ERR_BAD_REQ), Reason: "the connection is closed"}
	}
	var protocol C.int
	C.sectrans_get_negotiated_protocol_version(ctx, &protocol)
	if protocol != C.SECTRANS_PROTOCOL_TLS13 {
		switch label {
		case "client finished", "server finished", "master secret", "key expansion":
			return nil, fmt.Errorf("crypto/tls: reserved ExportKeyingMaterial label: %s", label)
		}
	}
	lbl := append([]byte(label), 0) // never empty, so never a NULL pointer
	var ctxPtr unsafe.Pointer
	useContext := C.int(0)
	if context != nil {
		useContext = 1
		if len(context) > 0 {
			ctxPtr = unsafe.Pointer(&context[0])
		}
	}
	// Allocated only within the bound: a larger length reaches the
	// library with a smaller buffer, which it refuses before touching it.
	out := make([]byte, min(length, C.SECTRANS_EXPORTER_MAX_LENGTH+1))
	var outPtr unsafe.Pointer
	if length > 0 {
		outPtr = unsafe.Pointer(&out[0])
	}
	status := C.sectrans_export_keying_material(ctx, outPtr, C.size_t(length),
		(*C.char)(unsafe.Pointer(&lbl[0])), C.size_t(len(label)),
		ctxPtr, C.size_t(len(context)), useContext)
	if status != 0 {
		return nil, statusError("ExportKeyingMaterial", status, ctx)
	}
	return out, nil
}

// setEKM installs c's exporter in state, so that the crypto/tls method
// (*tls.ConnectionState).ExportKeyingMaterial works on the states this
// package builds: it calls the unexported field ekm, which only reflection
// can set from outside crypto/tls. Left unset (the method would then
// panic) only should a Go release change that field.
func (c *Conn) setEKM(state *tls.ConnectionState) {
	f := c.ExportKeyingMaterial
	v := reflect.ValueOf(state).Elem().FieldByName("ekm")
	if !v.IsValid() || v.Type() != reflect.TypeOf(f) {
		return
	}
	reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem().Set(reflect.ValueOf(f))
}
