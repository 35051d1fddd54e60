package main

import (
	"bufio"
	"flag"
	"net"
	"strings"
	"time"
)

// runClient makes -conns connections one after the other (sharing one
// session cache, so later ones can resume), sends one line on each and
// reports the reply with the connection state.
func runClient(args []string) error {
	var o options
	fs := flag.NewFlagSet("client", flag.ExitOnError)
	o.register(fs)
	addr := fs.String("addr", "", "server address")
	conns := fs.Int("conns", 1, "connections, one after the other")
	line := fs.String("line", "hello", "line to send")
	fs.Parse(args)
	wrap, err := o.wrapper(true, *conns > 1)
	if err != nil {
		return err
	}
	for i := 0; i < *conns; i++ {
		result, err := exchangeLine(wrap, *addr, *line)
		if err != nil {
			return err
		}
		report(result)
	}
	return nil
}

// exchangeLine connects, sends line and reads one line back.
func exchangeLine(wrap func(net.Conn) tlsConn, addr, line string) (map[string]any, error) {
	raw, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	conn := wrap(raw)
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	if err := conn.Handshake(); err != nil {
		return nil, err
	}
	if _, err := conn.Write([]byte(line + "\n")); err != nil {
		return nil, err
	}
	reply, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return nil, err
	}
	result := describe(conn.ConnectionState())
	result["reply"] = strings.TrimSuffix(reply, "\n")
	return result, nil
}
