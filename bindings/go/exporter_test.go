package sectrans

import (
	"bytes"
	"crypto/tls"
	"errors"
	"strings"
	"testing"
)

// exportAll exports a few label/context/length cases through
// (*tls.ConnectionState).ExportKeyingMaterial.
func exportAll(t *testing.T, state tls.ConnectionState) [][]byte {
	t.Helper()
	var out [][]byte
	for _, c := range []struct {
		label   string
		context []byte
		length  int
	}{
		{"EXPERIMENTAL-go", nil, 32},
		{"EXPERIMENTAL-go", []byte{}, 32},
		{"EXPERIMENTAL-go", []byte("context"), 64},
		{"EXPORTER-Channel-Binding", []byte{}, 32},
		{"other", nil, 0},
		{"", nil, 100},
	} {
		b, err := state.ExportKeyingMaterial(c.label, c.context, c.length)
		if err != nil {
			t.Fatalf("ExportKeyingMaterial(%q, %v, %d): %v", c.label, c.context, c.length, err)
		}
		if len(b) != c.length {
			t.Fatalf("got %d bytes, want %d", len(b), c.length)
		}
		out = append(out, b)
	}
	return out
}

func sameExports(t *testing.T, ours, theirs [][]byte) {
	t.Helper()
	for i := range ours {
		if !bytes.Equal(ours[i], theirs[i]) {
			t.Fatalf("case %d: sectrans %x, crypto/tls %x", i, ours[i], theirs[i])
		}
	}
}

// TestExportKeyingMaterialMatchesCryptoTLS: crypto/tls on the other side
// of each role exports the same bytes, TLS 1.2 and 1.3.
func TestExportKeyingMaterialMatchesCryptoTLS(t *testing.T) {
	p := getPKI(t)
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		// sectrans client, crypto/tls server
		rawClient, rawServer := tcpPair(t)
		goServer := tls.Server(rawServer, &tls.Config{Certificates: []tls.Certificate{p.server}, MaxVersion: version})
		done := make(chan error, 1)
		go func() { done <- goServer.Handshake() }()
		cfg := p.clientConfig()
		cfg.MaxVersion = version
		client := Client(rawClient, cfg)
		if err := client.Handshake(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if v := client.ConnectionState().Version; v != version {
			t.Fatalf("version %x, want %x", v, version)
		}
		sameExports(t, exportAll(t, client.ConnectionState()), exportAll(t, goServer.ConnectionState()))
		direct, err := client.ExportKeyingMaterial("EXPERIMENTAL-go", nil, 32)
		if err != nil || !bytes.Equal(direct, exportAll(t, client.ConnectionState())[0]) {
			t.Fatalf("Conn.ExportKeyingMaterial: %x, %v", direct, err)
		}
		client.Close()

		// crypto/tls client, sectrans server
		rawClient, rawServer = tcpPair(t)
		server := Server(rawServer, p.serverConfig())
		go func() { done <- server.Handshake() }()
		goClient := tls.Client(rawClient, &tls.Config{RootCAs: p.x509Pool(), ServerName: "localhost", MaxVersion: version})
		if err := goClient.Handshake(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		sameExports(t, exportAll(t, server.ConnectionState()), exportAll(t, goClient.ConnectionState()))
		server.Close()
	}
}

// TestExportKeyingMaterialErrors: before the handshake, after Close, bad
// lengths, oversize labels and contexts, reserved TLS 1.2 labels.
func TestExportKeyingMaterialErrors(t *testing.T) {
	p := getPKI(t)
	rawClient, _ := tcpPair(t)
	idle := Client(rawClient, p.clientConfig())
	defer idle.Close()
	var e *Error
	idleState := idle.ConnectionState()
	if _, err := idleState.ExportKeyingMaterial("x", nil, 16); !errors.As(err, &e) || e.Status != -909 {
		t.Fatalf("before the handshake: %v", err)
	}
	cfg := p.clientConfig()
	cfg.MaxVersion = tls.VersionTLS12
	client, _ := mustHandshake(t, cfg, p.serverConfig())
	for _, c := range []struct {
		label   string
		context []byte
		length  int
		part    string
	}{
		{"x", nil, -1, "negative length"},
		{"x", nil, 8161, "length"},
		{"x", nil, 1 << 40, "length"},
		{strings.Repeat("l", 250), nil, 16, "label"},
		{"x", make([]byte, 65536), 16, "context"},
	} {
		_, err := client.ExportKeyingMaterial(c.label, c.context, c.length)
		if !errors.As(err, &e) || e.Status != -50 || !strings.Contains(e.Reason, c.part) {
			t.Fatalf("%q/%d/%d: %v", c.label[:1], len(c.context), c.length, err)
		}
	}
	if _, err := client.ExportKeyingMaterial("master secret", nil, 16); err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Fatalf("reserved label: %v", err)
	}
	if b, err := client.ExportKeyingMaterial(strings.Repeat("l", 249), nil, 8160); err != nil || len(b) != 8160 {
		t.Fatalf("at the bounds: %v", err)
	}
	state := client.ConnectionState()
	client.Close()
	if _, err := state.ExportKeyingMaterial("x", nil, 16); err == nil {
		t.Fatal("exported after Close")
	}
}
