package sectrans

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"testing"
)

// TestHTTPOverSectrans runs net/http (HTTP/1.1) with a sectrans listener
// and a client transport that dials with sectrans; the handler reads the
// connection state through ConnContext and StateFromContext.
func TestHTTPOverSectrans(t *testing.T) {
	p := getPKI(t)
	l, err := Listen("tcp", "127.0.0.1:0", p.serverConfig())
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ConnContext: ConnContext, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		state, ok := StateFromContext(r.Context())
		fmt.Fprintf(w, "%v %s %s", ok, tls.VersionName(state.Version), r.URL.Path)
	})}
	go srv.Serve(l)
	defer srv.Close()

	dialer := &Dialer{Config: &Config{RootCAs: p.pool()}}
	client := &http.Client{Transport: &http.Transport{DialTLSContext: dialer.DialContext}}
	defer client.CloseIdleConnections()
	for i := 0; i < 3; i++ { // keep-alive: later requests reuse the connection
		resp, err := client.Get("https://" + l.Addr().String() + "/hello")
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(body) != "true TLS 1.3 /hello" {
			t.Fatalf("body %q, %v", body, err)
		}
	}
}
