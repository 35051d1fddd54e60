// Command httpserver is the README's HTTP server example: net/http
// (HTTP/1.1) on a sectrans listener.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net/http"

	"sectrans"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8443", "address to listen on")
	certFile := flag.String("cert", "cert.pem", "certificate chain PEM file")
	keyFile := flag.String("key", "key.pem", "private key PEM file")
	flag.Parse()

	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		log.Fatal(err)
	}
	l, err := sectrans.Listen("tcp", *addr, &sectrans.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("listening on %s", l.Addr())
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		state, _ := sectrans.StateFromContext(r.Context()) // net/http leaves r.TLS nil
		fmt.Fprintf(w, "hello over %s\n", tls.VersionName(state.Version))
	})
	// ConnContext makes the connection state available to handlers.
	server := &http.Server{Handler: handler, ConnContext: sectrans.ConnContext}
	log.Fatal(server.Serve(l))
}
