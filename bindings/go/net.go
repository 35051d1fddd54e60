package sectrans

import (
	"context"
	"errors"
	"net"
	"strings"
)

// Dial connects to addr and runs a client handshake, like tls.Dial. An
// empty config.ServerName is taken from addr's host.
func Dial(network, addr string, config *Config) (*Conn, error) {
	return DialWithDialer(new(net.Dialer), network, addr, config)
}

// DialWithDialer is Dial with dialer's timeout, deadline and settings,
// which cover the handshake too, like tls.DialWithDialer.
func DialWithDialer(dialer *net.Dialer, network, addr string, config *Config) (*Conn, error) {
	return (&Dialer{NetDialer: dialer, Config: config}).dial(context.Background(), network, addr)
}

// Dialer dials TLS connections, like tls.Dialer; its DialContext fits
// http.Transport.DialTLSContext.
type Dialer struct {
	NetDialer *net.Dialer // nil means a zero net.Dialer
	Config    *Config     // nil means a zero Config (system anchors)
}

// Dial connects and runs the handshake.
func (d *Dialer) Dial(network, addr string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, addr)
}

// DialContext connects and runs the handshake; ctx bounds both.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := d.dial(ctx, network, addr)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return c, nil
}

// dial connects and runs the handshake, bounded by ctx and the net.Dialer's
// Timeout and Deadline; on failure the connection is closed.
func (d *Dialer) dial(ctx context.Context, network, addr string) (*Conn, error) {
	netDialer := d.NetDialer
	if netDialer == nil {
		netDialer = new(net.Dialer)
	}
	if netDialer.Timeout != 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, netDialer.Timeout)
		defer cancel()
	}
	if !netDialer.Deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, netDialer.Deadline)
		defer cancel()
	}
	raw, err := netDialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	config := d.Config
	if config == nil {
		config = &Config{}
	}
	name := config.ServerName
	if name == "" && !config.InsecureSkipVerify {
		name = hostOf(addr)
	}
	conn := newConn(raw, config, true, name)
	if err := conn.HandshakeContext(ctx); err != nil {
		raw.Close()
		conn.freeContext()
		return nil, err
	}
	return conn, nil
}

// hostOf returns the host part of addr ("host:port", "[v6]:port").
func hostOf(addr string) string {
	host := addr
	if i := strings.LastIndex(addr, ":"); i >= 0 {
		host = addr[:i]
	}
	return strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
}

// listener wraps a net.Listener; Accept returns server connections.
type listener struct {
	net.Listener
	config *Config
}

// Accept waits for the next connection and returns it as a server *Conn
// (the handshake runs on its first Read or Write, or Handshake).
func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return Server(c, l.config), nil
}

// NewListener returns a listener whose Accept wraps inner's connections
// with Server(conn, config), like tls.NewListener.
func NewListener(inner net.Listener, config *Config) net.Listener {
	return &listener{Listener: inner, config: config}
}

// Listen listens on laddr and returns a TLS listener, like tls.Listen.
// config must have Certificates or GetCertificate.
func Listen(network, laddr string, config *Config) (net.Listener, error) {
	if config == nil || (len(config.Certificates) == 0 && config.GetCertificate == nil) {
		return nil, errors.New("sectrans: neither Certificates nor GetCertificate set in Config")
	}
	l, err := net.Listen(network, laddr)
	if err != nil {
		return nil, err
	}
	return NewListener(l, config), nil
}
