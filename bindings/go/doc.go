// Package sectrans is a crypto/tls twin over libsectrans, Apple's Secure
// Transport session model on BoringSSL.
//
// Client, Server, Dial, Listen and a Config with crypto/tls field names and
// types give a *Conn that satisfies net.Conn and returns a
// tls.ConnectionState, so net/http (HTTP/1.1) and golang.org/x/net/http2 run
// over it. Ciphertext moves through the library's memory transport: Go does
// all network I/O on the wrapped net.Conn, so its deadlines and cancellation
// keep working, and the lock on the C context is never held across network
// I/O (see conn.go).
//
// Verification is on by default: a client needs ServerName (or Dial's host)
// or InsecureSkipVerify, and the minimum version is TLS 1.2. Failures are
// *Error values carrying the library's status code and reason.
//
// cgo flags come from `pkg-config sectrans` (an install prefix, or a build
// tree through its sectrans-uninstalled.pc); see README.md in this
// directory.
package sectrans
