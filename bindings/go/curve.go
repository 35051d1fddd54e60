//go:build go1.25

package sectrans

import "crypto/tls"

// setCurveID records the key exchange group; tls.ConnectionState has a
// CurveID field from Go 1.25 on (Conn.CurveID works with any Go).
func setCurveID(state *tls.ConnectionState, id tls.CurveID) {
	state.CurveID = id
}
