package sectrans

import "testing"

// IsCertificateError follows the library's certificate category
// (sectrans_status_category), not a list of the binding's own.
func TestIsCertificateErrorFollowsTheLibrarysCategory(t *testing.T) {
	cases := []struct {
		status int32
		want   bool
	}{
		{StatusUnknownRootCert, true},
		{StatusNoRootCert, true},
		{StatusCertExpired, true},
		{StatusCertNotYetValid, true},
		{StatusHostNameMismatch, true},
		{StatusChainInvalid, true},
		{-67818, true}, // errSecCertificateExpired
		{-67820, true}, // errSecCertificateRevoked
		// Resolved in 1.1: errSSLBadCert is an undecodable or mismatched
		// certificate or key, a configuration error, as Python treats it.
		{StatusBadCert, false},
		{-9825, false}, // errSSLPeerBadCert: the peer refused ours
		{StatusBadConfiguration, false},
		{StatusClosedAbort, false},
		{0, false},
		{12345, false},
	}
	for _, tc := range cases {
		e := &Error{Op: "handshake", Status: tc.status}
		if got := e.IsCertificateError(); got != tc.want {
			t.Errorf("status %d: IsCertificateError() = %v, want %v", tc.status, got, tc.want)
		}
	}
}
