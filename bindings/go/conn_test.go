package sectrans

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

func TestRoundTripAndConnectionState(t *testing.T) {
	p := getPKI(t)
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		clientConfig := p.clientConfig()
		clientConfig.MaxVersion = version
		client, server := mustHandshake(t, clientConfig, p.serverConfig())
		go func() {
			buf := make([]byte, 5)
			if _, err := io.ReadFull(server, buf); err == nil {
				server.Write(bytes.ToUpper(buf))
			}
		}()
		if _, err := client.Write([]byte("hello")); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, 5)
		if _, err := io.ReadFull(client, got); err != nil || string(got) != "HELLO" {
			t.Fatalf("read %q, %v", got, err)
		}
		state := client.ConnectionState()
		if state.Version != version || !state.HandshakeComplete || state.ServerName != "localhost" ||
			client.CurveID() != tls.X25519 || tls.CipherSuiteName(state.CipherSuite)[:4] != "TLS_" {
			t.Fatalf("client state %+v", state)
		}
		if len(state.PeerCertificates) != 1 || !bytes.Equal(state.PeerCertificates[0].Raw, p.server.Certificate[0]) {
			t.Fatalf("peer certificates %v", state.PeerCertificates)
		}
		if len(state.VerifiedChains) != 1 || !state.VerifiedChains[0][1].Equal(p.caCert) {
			t.Fatalf("verified chains %v", state.VerifiedChains)
		}
		if s := server.ConnectionState(); s.ServerName != "localhost" || s.Version != version || len(s.PeerCertificates) != 0 {
			t.Fatalf("server state %+v", s)
		}
		if client.VerifyHostname("localhost") != nil || client.VerifyHostname("other.example") == nil {
			t.Fatal("VerifyHostname")
		}
	}
}

func TestCloseNotifyGivesEOFAndCloseIsIdempotent(t *testing.T) {
	p := getPKI(t)
	client, server := mustHandshake(t, p.clientConfig(), p.serverConfig())
	if err := server.Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := client.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Fatalf("read after peer close: %d, %v", n, err)
	}
	if err := server.Close(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := server.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Write after Close: %v", err)
	}
	if _, err := server.Read(make([]byte, 1)); err == nil {
		t.Fatal("Read after Close succeeded")
	}
	before := client.ConnectionState()
	client.Close()
	if after := client.ConnectionState(); after.Version != before.Version || !after.HandshakeComplete {
		t.Fatalf("state after Close %+v", after)
	}
}

// A client that writes and closes at once loses nothing, over several
// runs: Close takes in the server's unread session tickets first, so the
// socket ends with a FIN rather than a reset that would drop the data the
// server had not read yet.
func TestWriteThenCloseLosesNothing(t *testing.T) {
	p := getPKI(t)
	const size = 16 << 20
	chunk := make([]byte, 16<<10)
	for i := range chunk {
		chunk[i] = byte(i * 7)
	}
	for run := 0; run < 3; run++ {
		client, server := mustHandshake(t, p.clientConfig(), p.serverConfig())
		received := make(chan int64, 1)
		go func() {
			n, err := io.Copy(io.Discard, server)
			if err != nil {
				t.Errorf("run %d: server read: %v", run, err)
			}
			received <- n
		}()
		for sent := 0; sent < size; sent += len(chunk) {
			if _, err := client.Write(chunk); err != nil {
				t.Fatal(err)
			}
		}
		if err := client.Close(); err != nil {
			t.Fatal(err)
		}
		if n := <-received; n != size {
			t.Fatalf("run %d: the server read %d of %d bytes", run, n, size)
		}
	}
}

// The library answers a close_notify with its own (Secure Transport's
// rule), so the side that reads EOF cannot write afterwards; the side that
// half-closed keeps reading until then.
func TestCloseWriteIsAHalfClose(t *testing.T) {
	p := getPKI(t)
	client, server := mustHandshake(t, p.clientConfig(), p.serverConfig())
	if _, err := client.Write([]byte("request")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := io.ReadFull(server, buf); err != nil || string(buf) != "request" {
		t.Fatalf("server read %q, %v", buf, err)
	}
	if err := client.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Write([]byte("more")); err == nil {
		t.Fatal("Write after CloseWrite succeeded")
	}
	if _, err := server.Write([]byte("response")); err != nil {
		t.Fatal(err)
	}
	if n, err := server.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("server read after CloseWrite: %d, %v", n, err)
	}
	got, err := io.ReadAll(client)
	if err != nil || string(got) != "response" {
		t.Fatalf("client read %q, %v", got, err)
	}
	if err := Client(nil, p.clientConfig()).CloseWrite(); err == nil {
		t.Fatal("CloseWrite before the handshake succeeded")
	}
}

func TestReadDeadlineTimesOutAndCanBeRetried(t *testing.T) {
	p := getPKI(t)
	client, server := mustHandshake(t, p.clientConfig(), p.serverConfig())
	client.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, err := client.Read(make([]byte, 10))
	var netErr net.Error
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("read past deadline: %v", err)
	}
	client.SetReadDeadline(time.Time{})
	server.Write([]byte("late"))
	buf := make([]byte, 4)
	if _, err := io.ReadFull(client, buf); err != nil || string(buf) != "late" {
		t.Fatalf("retry read %q, %v", buf, err)
	}
}

func TestWriteTimeoutBreaksLaterWrites(t *testing.T) {
	p := getPKI(t)
	client, _ := mustHandshake(t, p.clientConfig(), p.serverConfig())
	client.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	chunk := make([]byte, 1<<20)
	var err error
	for i := 0; i < 64 && err == nil; i++ { // the server never reads: buffers fill up
		_, err = client.Write(chunk)
	}
	var netErr net.Error
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("write past deadline: %v", err)
	}
	client.SetWriteDeadline(time.Time{})
	if _, again := client.Write([]byte("x")); again == nil || again.Error() != err.Error() {
		t.Fatalf("write after a timed-out write: %v", again)
	}
	start := time.Now()
	client.Close() // bounded: close_notify cannot be sent either
	if time.Since(start) > 2*closeNotifyTimeout {
		t.Fatal("Close was not bounded")
	}
}
