package sectrans

/*
#include <sectrans/sectrans.h>
*/
import "C"

import (
	"fmt"
	"net"
)

// Status codes of libsectrans (Secure Transport's OSStatus numbers) that
// callers commonly test for in an *Error.
const (
	StatusUnknownRootCert  int32 = C.SECTRANS_ERR_UNKNOWN_ROOT_CERT
	StatusNoRootCert       int32 = C.SECTRANS_ERR_NO_ROOT_CERT
	StatusCertExpired      int32 = C.SECTRANS_ERR_CERT_EXPIRED
	StatusCertNotYetValid  int32 = C.SECTRANS_ERR_CERT_NOT_YET_VALID
	StatusHostNameMismatch int32 = C.SECTRANS_ERR_HOST_NAME_MISMATCH
	StatusChainInvalid     int32 = C.SECTRANS_ERR_X_CERT_CHAIN_INVALID
	StatusBadCert          int32 = C.SECTRANS_ERR_BAD_CERT
	StatusBadConfiguration int32 = C.SECTRANS_ERR_BAD_CONFIGURATION
	StatusClosedAbort      int32 = C.SECTRANS_CLOSED_ABORT
)

// Error is a failure reported by libsectrans. Use errors.As to get it from
// any error this package returns.
type Error struct {
	Op     string // what failed: "handshake", "read", "write", "config", ...
	Status int32  // the library's status code, such as -9843
	Reason string // the library's detail text (may be empty)
}

// Error formats the failure as "sectrans: op: errSSLName (code): reason".
func (e *Error) Error() string {
	s := fmt.Sprintf("sectrans: %s: %s (%d)", e.Op, StatusName(e.Status), e.Status)
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// IsCertificateError reports whether the status says the peer's
// certificate failed verification (name, validity, chain or anchor): the
// library's certificate category (sectrans_status_category). Since 1.1 it
// is false for StatusBadCert, an undecodable or mismatched certificate or
// key, which the library counts as a configuration error.
func (e *Error) IsCertificateError() bool {
	return C.sectrans_status_category(C.sectrans_status(e.Status)) == C.SECTRANS_CATEGORY_CERTIFICATE
}

// StatusName returns Secure Transport's name for a status code, such as
// "errSSLHostNameMismatch".
func StatusName(status int32) string {
	return C.GoString(C.sectrans_status_string(C.sectrans_status(status)))
}

// statusError builds an *Error for op, with the context's detail when ctx
// is not nil. Callers hold the context's lock.
func statusError(op string, status C.sectrans_status, ctx *C.sectrans_context) error {
	reason := ""
	if ctx != nil {
		reason = C.GoString(C.sectrans_context_error_detail(ctx))
	}
	if reason == "" {
		reason = C.GoString(C.sectrans_status_description(status))
	}
	return &Error{Op: op, Status: int32(status), Reason: reason}
}

// permanentError marks a write failure that broke the record stream: every
// later write returns it, as crypto/tls does after a write timeout.
type permanentError struct {
	err net.Error
}

// The net.Error methods of a permanent error: still a timeout, never temporary.
func (e *permanentError) Error() string   { return e.err.Error() }
func (e *permanentError) Unwrap() error   { return e.err }
func (e *permanentError) Timeout() bool   { return e.err.Timeout() }
func (e *permanentError) Temporary() bool { return false }

// permanent wraps a network write error so that it stays put.
func permanent(err error) error {
	if ne, ok := err.(net.Error); ok {
		return &permanentError{ne}
	}
	return err
}
