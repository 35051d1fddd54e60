//go:build go1.25

package sectrans

import (
	"crypto/tls"
	"testing"
)

func TestConnectionStateHasCurveID(t *testing.T) {
	p := getPKI(t)
	client, server := mustHandshake(t, p.clientConfig(), p.serverConfig())
	if got := client.ConnectionState().CurveID; got != tls.X25519 {
		t.Fatalf("client CurveID %v", got)
	}
	if got := server.ConnectionState().CurveID; got != server.CurveID() || got == 0 {
		t.Fatalf("server CurveID %v, want %v", got, server.CurveID())
	}
}
