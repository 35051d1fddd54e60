// Command peer is the Go side of the pytest interop tests: a TLS client or
// server made with sectrans or with crypto/tls (-impl), so that each can be
// run against openssl s_server/s_client, Python's ssl and the other.
//
//	peer client  -addr 127.0.0.1:P [-conns N] [-line TEXT] ...  one JSON line per connection
//	peer server  [-mode rev|echo] [-n N] ...                     prints "LISTENING <port>"
//	peer load    -addr ... -conns 100 -size 1048576              concurrent bulk echo
//	peer httpserver ...                                          HTTP/1.1 over sectrans
//	peer httpget -url URL ...                                    GET with a sectrans transport
//
// Failures print {"ok":false,"error":...,"status":N} (status: the sectrans
// status code, 0 when there is none) and exit 1.
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: peer client|server|load|httpserver|httpget [flags]"))
	}
	commands := map[string]func([]string) error{
		"client": runClient, "server": runServer, "load": runLoad,
		"httpserver": runHTTPServer, "httpget": runHTTPGet,
	}
	command, ok := commands[os.Args[1]]
	if !ok {
		fail(fmt.Errorf("unknown command %q", os.Args[1]))
	}
	if err := command(os.Args[2:]); err != nil {
		fail(err)
	}
}

// report prints one JSON object on a line of its own.
func report(v any) {
	line, _ := json.Marshal(v)
	fmt.Println(string(line))
}

// fail reports err as JSON and exits 1.
func fail(err error) {
	report(map[string]any{"ok": false, "error": err.Error(), "status": statusOf(err)})
	os.Exit(1)
}
