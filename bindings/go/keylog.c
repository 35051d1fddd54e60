/* The C side of the key log callback: the library calls a C function, which
 * hands the line to Go with the cgo.Handle kept as the callback's user
 * pointer. (A file with //export may only declare C functions, so this one
 * lives here.) */
#include "_cgo_export.h"
#include <sectrans/sectrans.h>
#include <stdint.h>

static void keylog_trampoline(void *user, const char *line) {
  sectransGoKeyLog((uintptr_t)user, (char *)line);
}

sectrans_status sectrans_go_set_keylog(sectrans_config *config,
                                       uintptr_t handle) {
  return sectrans_config_set_keylog_callback(config, keylog_trampoline,
                                             (void *)handle);
}
