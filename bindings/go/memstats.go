package sectrans

/*
#include <malloc.h>
static size_t go_c_heap_in_use(void) { return mallinfo2().uordblks; }
*/
import "C"

// cHeapInUse returns the bytes malloc has handed out and not got back
// (glibc's mallinfo2), which covers the library and BoringSSL. The leak
// test compares it before and after dropping connections.
func cHeapInUse() uint64 {
	return uint64(C.go_c_heap_in_use())
}
