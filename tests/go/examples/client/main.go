// Command client is the README's client example: it connects with
// sectrans, sends an HTTP/1.0 request and prints the answer.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"sectrans"
)

func main() {
	addr := flag.String("addr", "example.com:443", "host:port to connect to")
	caFile := flag.String("ca", "", "PEM file of trusted roots (default: the system's)")
	flag.Parse()

	config := &sectrans.Config{} // the server name comes from addr
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			log.Fatal(err)
		}
		config.RootCAs = sectrans.NewCertPool()
		config.RootCAs.AppendCertsFromPEM(pem)
	}
	conn, err := sectrans.Dial("tcp", *addr, config)
	if err != nil {
		log.Fatal(err) // a *sectrans.Error for verification failures
	}
	defer conn.Close()
	state := conn.ConnectionState()
	log.Printf("%s, %s", tls.VersionName(state.Version), tls.CipherSuiteName(state.CipherSuite))
	fmt.Fprintf(conn, "GET / HTTP/1.0\r\n\r\n")
	io.Copy(os.Stdout, conn)
}
