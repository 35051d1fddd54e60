/*
 * version.c: the run-time version, and the check bindings make at load so a
 * header newer than the library is caught before any call goes wrong.
 */
#include "internal.h"

uint32_t sectrans_version(void) { return SECTRANS_VERSION_NUMBER; }

sectrans_status sectrans_check_version(uint32_t major, uint32_t minor) {
  if (major != SECTRANS_VERSION_MAJOR || minor > SECTRANS_VERSION_MINOR)
    return SECTRANS_ERR_BAD_CONFIGURATION;
  return SECTRANS_SUCCESS;
}
