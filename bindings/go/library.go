package sectrans

/*
#cgo pkg-config: sectrans
#include <sectrans/sectrans.h>
*/
import "C"

import "fmt"

// libraryErr is non-nil when the libsectrans found at run time cannot serve
// the header this package was built with; every new connection returns it.
var libraryErr = checkLibrary()

// checkLibrary runs the header/library version check once, at load.
func checkLibrary() error {
	status := C.sectrans_check_version(C.SECTRANS_VERSION_MAJOR, C.SECTRANS_VERSION_MINOR)
	if status != C.SECTRANS_SUCCESS {
		return fmt.Errorf("sectrans: library version %d does not serve header %d.%d",
			uint32(C.sectrans_version()), C.SECTRANS_VERSION_MAJOR, C.SECTRANS_VERSION_MINOR)
	}
	return nil
}

// LibraryVersion returns the running libsectrans's version number
// (MAJOR*10000 + MINOR*100 + PATCH).
func LibraryVersion() uint32 {
	return uint32(C.sectrans_version())
}
