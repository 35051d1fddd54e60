package sectrans

/*
#include <sectrans/sectrans.h>
*/
import "C"

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"runtime"
	"unsafe"
)

// identity owns one library identity (key, leaf and intermediates).
type identity struct {
	ptr *C.sectrans_identity
}

// newIdentity converts a crypto/tls certificate (as tls.LoadX509KeyPair or
// tls.X509KeyPair make it) into a library identity: the chain as PEM and
// the key as PKCS#8.
func newIdentity(cert *tls.Certificate) (*identity, error) {
	if len(cert.Certificate) == 0 {
		return nil, errors.New("sectrans: tls.Certificate has no certificate")
	}
	if cert.PrivateKey == nil {
		return nil, errors.New("sectrans: tls.Certificate has no private key")
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		return nil, err
	}
	var chain []byte
	for _, der := range cert.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	key := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	var ptr *C.sectrans_identity
	status := C.sectrans_identity_create_from_pem(
		unsafe.Pointer(&chain[0]), C.size_t(len(chain)),
		unsafe.Pointer(&key[0]), C.size_t(len(key)), nil, &ptr)
	if status != 0 {
		return nil, statusError("identity", status, nil)
	}
	id := &identity{ptr: ptr}
	runtime.SetFinalizer(id, func(id *identity) { C.sectrans_identity_release(id.ptr) })
	return id, nil
}
