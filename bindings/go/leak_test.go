package sectrans

import (
	"net"
	"runtime"
	"testing"
	"time"
)

// cHeapAfterGC collects until the finalizers of dropped connections brought
// the number of live contexts down to want, then returns the C heap in use.
func cHeapAfterGC(t *testing.T, want int64) uint64 {
	deadline := time.Now().Add(30 * time.Second)
	for liveContexts.Load() > want {
		if time.Now().After(deadline) {
			t.Fatalf("%d contexts alive after GC, want %d", liveContexts.Load(), want)
		}
		runtime.GC()
		time.Sleep(time.Millisecond) // finalizers run on their own goroutine
	}
	return cHeapInUse()
}

// dropConnections makes n client connections and never closes them.
func dropConnections(t *testing.T, n int, config *Config) {
	for i := 0; i < n; i++ {
		if c := Client(nil, config); c.initErr != nil {
			t.Fatal(c.initErr)
		}
	}
}

// dropHandshakenPairs runs n handshakes with data over loopback and drops
// both Conns without closing them (the sockets are closed, not the TLS).
func dropHandshakenPairs(t *testing.T, n int, p *testPKI) {
	for i := 0; i < n; i++ {
		rawClient, rawServer := tcpPair(t)
		client, server := Client(rawClient, p.clientConfig()), Server(rawServer, p.serverConfig())
		go server.Write([]byte("!"))
		if _, err := client.Read(make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
		rawClient.Close()
		rawServer.Close()
	}
}

// TestDroppedConnectionsAreFreed: finalizers free the C context of
// connections nobody closed, so 10,000 of them leave the C heap as it was.
func TestDroppedConnectionsAreFreed(t *testing.T) {
	p := getPKI(t)
	base := liveContexts.Load() // other tests' connections, closed at their end
	dropHandshakenPairs(t, 20, p)
	cHeapAfterGC(t, base)
	config := p.clientConfig()
	dropConnections(t, 1000, config) // warm-up: pools and caches settle
	before := cHeapAfterGC(t, base)
	dropConnections(t, 10000, config)
	after := cHeapAfterGC(t, base)
	// One context is several KiB; 10,000 leaked ones would be tens of MiB.
	if after > before+2<<20 {
		t.Fatalf("C heap grew from %d to %d bytes", before, after)
	}
}

var _ net.Conn = (*Conn)(nil)
