package main

import (
	"bytes"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"net"
	"time"
)

// runLoad opens -conns connections at once to an echo server; each sends
// -size random bytes while reading them back, and checks that nothing was
// lost, repeated or reordered.
func runLoad(args []string) error {
	var o options
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	o.register(fs)
	addr := fs.String("addr", "", "echo server address")
	conns := fs.Int("conns", 100, "concurrent connections")
	size := fs.Int("size", 1<<20, "bytes each way per connection")
	fs.Parse(args)
	wrap, err := o.wrapper(true, false)
	if err != nil {
		return err
	}
	errs := make(chan error, *conns)
	for i := 0; i < *conns; i++ {
		go func() { errs <- echoBulk(wrap, *addr, *size) }()
	}
	for i := 0; i < *conns; i++ {
		if err := <-errs; err != nil {
			return err
		}
	}
	report(map[string]any{"ok": true, "conns": *conns, "bytes": *conns * *size})
	return nil
}

// echoBulk sends size bytes on one connection and checks the echo.
func echoBulk(wrap func(net.Conn) tlsConn, addr string, size int) error {
	data := make([]byte, size)
	rand.Read(data)
	raw, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return err
	}
	conn := wrap(raw)
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(120 * time.Second))
	sent := make(chan error, 1)
	go func() {
		_, err := conn.Write(data)
		sent <- err
	}()
	got := make([]byte, size)
	if _, err := io.ReadFull(conn, got); err != nil {
		return err
	}
	if err := <-sent; err != nil {
		return err
	}
	if !bytes.Equal(got, data) {
		return fmt.Errorf("echoed data differs")
	}
	return nil
}
