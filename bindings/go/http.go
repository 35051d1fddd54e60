package sectrans

import (
	"context"
	"crypto/tls"
	"net"
)

// connContextKey keys the connection in a request context.
type connContextKey struct{}

// ConnContext is an http.Server ConnContext hook that remembers the
// connection, so that handlers can call StateFromContext. net/http fills
// Request.TLS only for *tls.Conn; this is the equivalent:
//
//	srv := &http.Server{Handler: h, ConnContext: sectrans.ConnContext}
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if conn, ok := c.(*Conn); ok {
		return context.WithValue(ctx, connContextKey{}, conn)
	}
	return ctx
}

// StateFromContext returns the TLS state of the connection a request
// arrived on (ok is false when the server did not use ConnContext or the
// connection is not a sectrans one).
func StateFromContext(ctx context.Context) (state tls.ConnectionState, ok bool) {
	conn, ok := ctx.Value(connContextKey{}).(*Conn)
	if !ok {
		return tls.ConnectionState{}, false
	}
	return conn.ConnectionState(), true
}
