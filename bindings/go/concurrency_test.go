package sectrans

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"sync"
	"testing"
	"time"
)

// pattern returns n bytes that differ from one offset to the next, so a
// lost, repeated or reordered record shows in the checksum.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) + seed
	}
	return b
}

// TestFullDuplex sends 1 MiB each way at the same time: Read and Write of
// one Conn run on different goroutines.
func TestFullDuplex(t *testing.T) {
	p := getPKI(t)
	client, server := mustHandshake(t, p.clientConfig(), p.serverConfig())
	const size = 1 << 20
	toServer, toClient := pattern(size, 1), pattern(size, 2)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	send := func(c *Conn, data []byte) {
		defer wg.Done()
		for off := 0; off < len(data); off += 10000 { // odd sizes split records
			end := min(off+10000, len(data))
			if _, err := c.Write(data[off:end]); err != nil {
				errs <- err
				return
			}
		}
	}
	receive := func(c *Conn, want []byte) {
		defer wg.Done()
		got := make([]byte, len(want))
		if _, err := io.ReadFull(c, got); err != nil {
			errs <- err
		} else if !bytes.Equal(got, want) {
			errs <- errors.New("data differs")
		}
	}
	wg.Add(4)
	go send(client, toServer)
	go send(server, toClient)
	go receive(server, toServer)
	go receive(client, toClient)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestConcurrentWritesStayWhole has many goroutines write framed messages
// on one Conn: each Write arrives whole, none is lost.
func TestConcurrentWritesStayWhole(t *testing.T) {
	p := getPKI(t)
	client, server := mustHandshake(t, p.clientConfig(), p.serverConfig())
	const writers, each, msgSize = 8, 20, 100 * 1024
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				msg := pattern(msgSize, byte(w*each+i))
				binary.BigEndian.PutUint32(msg, uint32(w*each+i))
				sum := sha256.Sum256(msg)
				if _, err := client.Write(append(msg, sum[:]...)); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	seen := map[uint32]bool{}
	buf := make([]byte, msgSize+sha256.Size)
	for len(seen) < writers*each {
		if _, err := io.ReadFull(server, buf); err != nil {
			t.Fatal(err)
		}
		if sha256.Sum256(buf[:msgSize]) != [32]byte(buf[msgSize:]) {
			t.Fatal("a message was interleaved with another")
		}
		seen[binary.BigEndian.Uint32(buf)] = true
	}
	wg.Wait()
}

func TestHandshakeContextCancel(t *testing.T) {
	p := getPKI(t)
	rawClient, _ := tcpPair(t) // nobody answers
	client := Client(rawClient, p.clientConfig())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- client.HandshakeContext(ctx) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("HandshakeContext: %v", err)
	}
	client.Close()
}

// TestCloseUnblocksRead: Close from another goroutine ends a blocked Read.
func TestCloseUnblocksRead(t *testing.T) {
	p := getPKI(t)
	client, _ := mustHandshake(t, p.clientConfig(), p.serverConfig())
	done := make(chan error, 1)
	go func() {
		_, err := client.Read(make([]byte, 10))
		done <- err
	}()
	time.AfterFunc(10*time.Millisecond, func() { client.Close() })
	if err := <-done; err == nil {
		t.Fatal("Read returned no error after Close")
	}
}
