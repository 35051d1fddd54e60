package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"

	"sectrans"
)

// runHTTPServer serves HTTP/1.1 on a sectrans listener on 127.0.0.1 and
// prints "LISTENING <port>". Each response says what the handler learned
// from sectrans.StateFromContext.
func runHTTPServer(args []string) error {
	var o options
	fs := flag.NewFlagSet("httpserver", flag.ExitOnError)
	o.register(fs)
	fs.Parse(args)
	config, err := o.sectransConfig()
	if err != nil {
		return err
	}
	l, err := sectrans.Listen("tcp", "127.0.0.1:0", config)
	if err != nil {
		return err
	}
	fmt.Printf("LISTENING %d\n", l.Addr().(*net.TCPAddr).Port)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		state, ok := sectrans.StateFromContext(r.Context())
		fmt.Fprintf(w, "path=%s proto=%s tls=%v version=%s sni=%s\n", r.URL.Path, r.Proto, ok,
			tls.VersionName(state.Version), state.ServerName)
	})
	srv := &http.Server{Handler: handler, ConnContext: sectrans.ConnContext}
	return srv.Serve(l)
}

// runHTTPGet fetches -url with an http.Client whose transport dials with
// sectrans, and prints the status line and the body.
func runHTTPGet(args []string) error {
	var o options
	fs := flag.NewFlagSet("httpget", flag.ExitOnError)
	o.register(fs)
	url := fs.String("url", "", "https URL")
	fs.Parse(args)
	config, err := o.sectransConfig()
	if err != nil {
		return err
	}
	config.ServerName = "" // taken from each dialed address's host
	dialer := &sectrans.Dialer{Config: config}
	client := &http.Client{Transport: &http.Transport{DialTLSContext: dialer.DialContext}}
	resp, err := client.Get(*url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	report(map[string]any{"ok": true, "status": resp.StatusCode, "proto": resp.Proto, "body": string(body)})
	return nil
}
