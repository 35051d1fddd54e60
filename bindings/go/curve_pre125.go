//go:build !go1.25

package sectrans

import "crypto/tls"

// setCurveID does nothing before Go 1.25, whose tls.ConnectionState has no
// CurveID field; Conn.CurveID reports the group with any Go.
func setCurveID(*tls.ConnectionState, tls.CurveID) {}
