package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// pair is an established client and server over loopback TCP.
type pair struct {
	client, server conn
}

func (p pair) Close() {
	p.client.Close()
	p.server.Close()
}

// connect dials l and runs both handshakes.
func connect(l net.Listener, impl implementation) (pair, error) {
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			c = nil
		}
		accepted <- c
	}()
	raw, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		return pair{}, err
	}
	rawServer := <-accepted
	if rawServer == nil {
		raw.Close()
		return pair{}, errors.New("accept failed")
	}
	p := pair{impl.client(raw), impl.server(rawServer)}
	serverErr := make(chan error, 1)
	go func() { serverErr <- p.server.Handshake() }()
	err = p.client.Handshake()
	if err2 := <-serverErr; err == nil {
		err = err2
	}
	if err != nil {
		p.Close()
		return pair{}, err
	}
	return p, nil
}

// handshakes runs n full handshakes (new TCP connection each) and returns
// handshakes per second.
func handshakes(l net.Listener, impl implementation, n int) (float64, error) {
	start := time.Now()
	for i := 0; i < n; i++ {
		p, err := connect(l, impl)
		if err != nil {
			return 0, err
		}
		p.Close() // no session cache on the clients: never a resumption

	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// bulk sends total bytes in 16 KiB writes from client to server on one
// established connection and returns MB/s (10^6 bytes).
func bulk(l net.Listener, impl implementation, total int) (float64, error) {
	p, err := connect(l, impl)
	if err != nil {
		return 0, err
	}
	defer p.Close()
	chunk := make([]byte, 16*1024)
	received := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := io.CopyN(io.Discard, p.server, int64(total))
		received <- err
	}()
	for sent := 0; sent < total; sent += len(chunk) {
		if _, err := p.client.Write(chunk); err != nil {
			return 0, err
		}
	}
	if err := <-received; err != nil {
		return 0, err
	}
	return float64(total) / 1e6 / time.Since(start).Seconds(), nil
}

// checkSetup verifies that both stacks do the same work before timing:
// TLS 1.3 with AES-128-GCM over X25519.
func checkSetup(l net.Listener, impls []implementation) error {
	for _, impl := range impls {
		p, err := connect(l, impl)
		if err != nil {
			return fmt.Errorf("%s: %w", impl.name, err)
		}
		state := p.client.ConnectionState()
		curve := curveOf(p.client)
		p.Close()
		if state.Version != tls.VersionTLS13 || state.CipherSuite != tls.TLS_AES_128_GCM_SHA256 || curve != tls.X25519 {
			return fmt.Errorf("%s negotiated %s, %s, group %v", impl.name, tls.VersionName(state.Version),
				tls.CipherSuiteName(state.CipherSuite), curve)
		}
	}
	return nil
}

// curveOf returns the group a client connection negotiated.
func curveOf(c conn) tls.CurveID {
	if s, ok := c.(interface{ CurveID() tls.CurveID }); ok {
		return s.CurveID() // sectrans, with any Go version
	}
	return c.ConnectionState().CurveID
}
