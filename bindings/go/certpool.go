package sectrans

/*
#include <stdlib.h>
#include <sectrans/sectrans.h>
*/
import "C"

import (
	"crypto/x509"
	"encoding/pem"
	"runtime"
	"sync"
	"unsafe"
)

// CertPool is a set of trust anchors, the twin of *x509.CertPool. A nil
// *CertPool in a Config means the system anchors (SSL_CERT_FILE and
// SSL_CERT_DIR when set, else the distribution bundle), as crypto/x509 does.
// It may be changed until a Config that uses it makes its first connection.
type CertPool struct {
	mu    sync.Mutex
	certs []*x509.Certificate
	store *C.sectrans_trust_store // built on first use, then frozen by the library
}

// NewCertPool returns an empty pool.
func NewCertPool() *CertPool {
	return &CertPool{}
}

// AddCert adds one anchor.
func (p *CertPool) AddCert(cert *x509.Certificate) {
	if cert == nil {
		panic("sectrans: AddCert called with a nil certificate")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.certs = append(p.certs, cert)
	p.dropStoreLocked()
}

// AppendCertsFromPEM adds every CERTIFICATE block of pemCerts that parses
// and reports whether any did, like (*x509.CertPool).AppendCertsFromPEM.
func (p *CertPool) AppendCertsFromPEM(pemCerts []byte) (ok bool) {
	for len(pemCerts) > 0 {
		var block *pem.Block
		block, pemCerts = pem.Decode(pemCerts)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" || len(block.Headers) != 0 {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			continue
		}
		p.AddCert(cert)
		ok = true
	}
	return ok
}

// x509Pool returns the anchors as a crypto/x509 pool (for VerifiedChains);
// a nil pool means the system pool.
func (p *CertPool) x509Pool() (*x509.CertPool, error) {
	if p == nil {
		return x509.SystemCertPool()
	}
	pool := x509.NewCertPool()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// trustStore returns the library store of the pool (+0 reference, owned by
// the pool), building it on first use.
func (p *CertPool) trustStore() (*C.sectrans_trust_store, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.store != nil {
		return p.store, nil
	}
	var store *C.sectrans_trust_store
	if status := C.sectrans_trust_store_create(&store); status != 0 {
		return nil, statusError("trust store", status, nil)
	}
	for _, cert := range p.certs {
		// The DER as it is: a certificate built by hand, without Raw, is
		// refused by the library (NULL, 0: -50).
		var der unsafe.Pointer
		if len(cert.Raw) > 0 {
			der = unsafe.Pointer(&cert.Raw[0])
		}
		status := C.sectrans_trust_store_add_der(store, der, C.size_t(len(cert.Raw)))
		if status != 0 {
			C.sectrans_trust_store_release(store)
			return nil, statusError("trust store", status, nil)
		}
	}
	if p.store == nil {
		runtime.SetFinalizer(p, (*CertPool).dropStore)
	}
	p.store = store
	return store, nil
}

// dropStore is the pool's finalizer: it gives back the library store.
func (p *CertPool) dropStore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropStoreLocked()
}

// dropStoreLocked forgets the built store; configs that took it keep their
// own reference.
func (p *CertPool) dropStoreLocked() {
	if p.store != nil {
		C.sectrans_trust_store_release(p.store)
		p.store = nil
	}
}
