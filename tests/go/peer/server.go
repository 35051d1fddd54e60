package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// runServer listens on 127.0.0.1 (port 0 by default), prints
// "LISTENING <port>", and serves -n connections (0: until killed). Mode
// rev answers each line reversed, like openssl s_server -rev; mode echo
// sends every byte back. Each connection's state or handshake error is
// reported on a line.
func runServer(args []string) error {
	var o options
	fs := flag.NewFlagSet("server", flag.ExitOnError)
	o.register(fs)
	mode := fs.String("mode", "rev", "rev or echo")
	count := fs.Int("n", 0, "connections to serve, 0 for no limit")
	fs.Parse(args)
	wrap, err := o.wrapper(false, false)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("LISTENING %d\n", l.Addr().(*net.TCPAddr).Port)
	var reports sync.Mutex
	var wg sync.WaitGroup
	for served := 0; *count == 0 || served < *count; served++ {
		raw, err := l.Accept()
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			result := serve(wrap(raw), *mode)
			reports.Lock()
			report(result)
			reports.Unlock()
		}()
	}
	wg.Wait()
	return nil
}

// serve runs one connection to its end and returns what to report.
func serve(conn tlsConn, mode string) map[string]any {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	if err := conn.Handshake(); err != nil {
		return map[string]any{"ok": false, "error": err.Error(), "status": statusOf(err)}
	}
	result := describe(conn.ConnectionState())
	var err error
	if mode == "echo" {
		_, err = io.Copy(conn, conn)
	} else {
		err = reverseLines(conn)
	}
	if err != nil && err != io.EOF {
		result["ok"], result["error"] = false, err.Error()
	}
	return result
}

// reverseLines answers each line with its reverse until the peer ends.
func reverseLines(conn tlsConn) error {
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		b := []byte(line[:len(line)-1])
		for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
			b[i], b[j] = b[j], b[i]
		}
		if _, err := conn.Write(append(b, '\n')); err != nil {
			return err
		}
	}
}
