package sectrans

import (
	"net"
	"strconv"
	"sync/atomic"
)

// SessionCache turns client resumption on when set as
// Config.ClientSessionCache. The sessions themselves live in libsectrans's
// process-wide cache (entries expire after 600 s; TLS 1.3 tickets are used
// once), keyed by the server name (or address) and the verification
// settings; a SessionCache gives its connections a key space of their own,
// so two caches never share sessions.
type SessionCache struct {
	id uint64
}

var sessionCacheIDs atomic.Uint64

// NewLRUClientSessionCache returns a new SessionCache. It mirrors
// tls.NewLRUClientSessionCache; capacity is accepted for source
// compatibility and ignored (the library bounds its cache by time).
func NewLRUClientSessionCache(capacity int) *SessionCache {
	return &SessionCache{id: sessionCacheIDs.Add(1)}
}

// peerID is the library's resumption key for one server.
func (s *SessionCache) peerID(serverName string, addr net.Addr) []byte {
	key := serverName
	if key == "" && addr != nil {
		key = addr.String()
	}
	return []byte("go-" + strconv.FormatUint(s.id, 10) + "|" + key)
}
