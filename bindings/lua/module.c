/*
 * module.c: luaopen_sectrans, the module table, and how a failing status
 * becomes the message a Lua caller sees.
 */
#include "lsectrans.h"

/* "errSSLHostNameMismatch (-9843): <the context's detail, or the status's
 * description>": the Apple name first, so callers can match on it. */
const char *lsec_status_message(lua_State *L, sectrans_status status,
                                const sectrans_context *ctx) {
  const char *detail = ctx ? sectrans_context_error_detail(ctx) : "";
  if (detail == NULL || detail[0] == '\0')
    detail = sectrans_status_description(status);
  return lua_pushfstring(L, "%s (%d): %s", sectrans_status_string(status),
                         (int)status, detail);
}

/* Pushes fail and the message of status; returns 2 (a C function's tail). */
int lsec_push_status(lua_State *L, sectrans_status status,
                     const sectrans_context *ctx) {
  luaL_pushfail(L);
  lsec_status_message(L, status, ctx);
  return 2;
}

/* sectrans.version() -> "1.0.0": the running library's version. */
static int module_version(lua_State *L) {
  uint32_t v = sectrans_version();
  lua_pushfstring(L, "%d.%d.%d", (int)(v / 10000), (int)(v / 100 % 100),
                  (int)(v % 100));
  return 1;
}

static const luaL_Reg module_functions[] = {
    {"newcontext", lsec_newcontext}, {"wrap", lsec_wrap},
    {"newsession", lsec_newsession}, {"loadcertificate", lsec_loadcertificate},
    {"version", module_version},     {NULL, NULL}};

/* require "sectrans": checks the library against the header it was built
 * with, registers the three types, returns the module table. */
LUAMOD_API __attribute__((visibility("default"))) int luaopen_sectrans(
    lua_State *L) {
  if (SECTRANS_CHECK_VERSION() != SECTRANS_SUCCESS)
    return luaL_error(L,
                      "sectrans: libsectrans %d is older than the header "
                      "this module was built with (%d)",
                      (int)sectrans_version(), SECTRANS_VERSION_NUMBER);
  lsec_context_open(L);
  lsec_connection_open(L);
  lsec_certificate_open(L);
  luaL_newlib(L, module_functions);
  module_version(L);
  lua_setfield(L, -2, "_VERSION");
  return 1;
}
