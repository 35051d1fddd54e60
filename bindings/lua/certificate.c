/*
 * certificate.c: sectrans.Certificate, LuaSec's x509 object over a
 * retained sectrans_certificate: pem, der, subject, issuer, digest,
 * notbefore, notafter, validat, extensions (subjectAltName).
 */
#include <string.h>
#include <time.h>

#include "lsectrans.h"

typedef sectrans_status (*copy_func)(const sectrans_certificate *, void *,
                                     size_t *);

static sectrans_certificate *check_certificate(lua_State *L, int idx) {
  sectrans_certificate **box = luaL_checkudata(L, idx, LSEC_CERTIFICATE);
  return *box;
}

/* Pushes a userdata owning cert (the caller's reference moves to it). */
void lsec_push_certificate(lua_State *L, sectrans_certificate *cert) {
  sectrans_certificate **box = lua_newuserdatauv(L, sizeof *box, 0);
  *box = cert;
  luaL_setmetatable(L, LSEC_CERTIFICATE);
}

/* Pushes one of the certificate's (buf, *len) values as a string. */
static void push_copy(lua_State *L, sectrans_certificate *cert,
                      copy_func copy) {
  size_t len = 0;
  copy(cert, NULL, &len); /* -9817, with the size */
  luaL_Buffer b;
  char *p = luaL_buffinitsize(L, &b, len);
  if (copy(cert, p, &len) != SECTRANS_SUCCESS)
    len = 0;
  luaL_pushresultsize(&b, len);
}

/* cert:pem() -> the certificate in PEM. */
static int certificate_pem(lua_State *L) {
  push_copy(L, check_certificate(L, 1), sectrans_certificate_copy_pem);
  return 1;
}

/* cert:der() -> the certificate in DER. */
static int certificate_der(lua_State *L) {
  push_copy(L, check_certificate(L, 1), sectrans_certificate_copy_der);
  return 1;
}

/* Attribute types a name may hold: the short name of RFC 2253 text, the
 * OID and the long name LuaSec reports. */
static const char *const attributes[][3] = {
    {"CN", "2.5.4.3", "commonName"},
    {"C", "2.5.4.6", "countryName"},
    {"L", "2.5.4.7", "localityName"},
    {"ST", "2.5.4.8", "stateOrProvinceName"},
    {"STREET", "2.5.4.9", "streetAddress"},
    {"O", "2.5.4.10", "organizationName"},
    {"OU", "2.5.4.11", "organizationalUnitName"},
    {"serialNumber", "2.5.4.5", "serialNumber"},
    {"DC", "0.9.2342.19200300.100.1.25", "domainComponent"},
    {"UID", "0.9.2342.19200300.100.1.1", "userId"},
    {"emailAddress", "1.2.840.113549.1.9.1", "emailAddress"},
    {NULL, NULL, NULL}};

/* Pushes {oid =, name =, value =} for "type=value" (value unescaped). */
static void push_attribute(lua_State *L, const char *type, size_t type_len,
                           const char *value, size_t value_len) {
  lua_createtable(L, 0, 3);
  lua_pushlstring(L, type, type_len);
  lua_pushvalue(L, -1);
  for (int i = 0; attributes[i][0]; i++) {
    if (strlen(attributes[i][0]) == type_len &&
        memcmp(attributes[i][0], type, type_len) == 0) {
      lua_pop(L, 2);
      lua_pushstring(L, attributes[i][1]);
      lua_pushstring(L, attributes[i][2]);
      break;
    }
  }
  lua_setfield(L, -3, "name");
  lua_setfield(L, -2, "oid");
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (size_t i = 0; i < value_len; i++) {
    if (value[i] == '\\' && i + 1 < value_len)
      i++; /* RFC 2253 escapes: \, \+ \" \\ \< \> \; and so on */
    luaL_addchar(&b, value[i]);
  }
  luaL_pushresult(&b);
  lua_setfield(L, -2, "value");
}

/* Splits RFC 2253 text into attributes, pushing a list in the
 * certificate's order (the text lists the most specific first). */
static void push_name_entries(lua_State *L, const char *text, size_t len) {
  lua_newtable(L);
  int n = 0;
  size_t start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i < len && text[i] == '\\') {
      i++;
      continue;
    }
    if (i < len && text[i] != ',' && text[i] != '+')
      continue;
    const char *part = text + start;
    const char *eq = memchr(part, '=', i - start);
    if (eq) {
      push_attribute(L, part, (size_t)(eq - part), eq + 1,
                     (size_t)(text + i - eq - 1));
      lua_rawseti(L, -2, ++n);
    }
    start = i + 1;
  }
  for (int a = 1, b = n; a < b; a++, b--) { /* reverse in place */
    lua_rawgeti(L, -1, a);
    lua_rawgeti(L, -2, b);
    lua_rawseti(L, -3, a);
    lua_rawseti(L, -2, b);
  }
}

/* Pushes the entries and the text of one of the certificate's names. */
static int push_name(lua_State *L, copy_func copy) {
  push_copy(L, check_certificate(L, 1), copy);
  size_t len;
  const char *text = lua_tolstring(L, -1, &len);
  push_name_entries(L, text, len);
  lua_insert(L, -2);
  return 2;
}

/* cert:subject() -> {{oid =, name =, value =}, ...}, "CN=...,O=..." (the
 * entries as LuaSec returns them, then the RFC 2253 text). */
static int certificate_subject(lua_State *L) {
  return push_name(L, sectrans_certificate_copy_subject);
}

/* cert:issuer() -> the same for the issuer's name. */
static int certificate_issuer(lua_State *L) {
  return push_name(L, sectrans_certificate_copy_issuer);
}

/* cert:digest([alg]) -> lowercase hex fingerprint. alg is "sha256" (the
 * default; the core offers no other), anything else gives nil, message. */
static int certificate_digest(lua_State *L) {
  sectrans_certificate *cert = check_certificate(L, 1);
  const char *alg = luaL_optstring(L, 2, "sha256");
  unsigned char digest[32];
  size_t len = sizeof digest;
  if (strcmp(alg, "sha256") != 0) {
    luaL_pushfail(L);
    lua_pushfstring(
        L, "unsupported digest algorithm (%s): sectrans offers sha256", alg);
    return 2;
  }
  sectrans_certificate_copy_sha256(cert, digest, &len);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (size_t i = 0; i < len; i++) {
    luaL_addchar(&b, "0123456789abcdef"[digest[i] >> 4]);
    luaL_addchar(&b, "0123456789abcdef"[digest[i] & 15]);
  }
  luaL_pushresult(&b);
  return 1;
}

static void validity(lua_State *L, int64_t *not_before, int64_t *not_after) {
  if (sectrans_certificate_get_validity(check_certificate(L, 1), not_before,
                                        not_after) != SECTRANS_SUCCESS)
    *not_before = *not_after = 0;
}

/* OpenSSL's ASN1_TIME_print form, as LuaSec returns: "Nov 26 18:16:31
 * 2026 GMT". */
static int push_time(lua_State *L, int64_t when) {
  time_t t = (time_t)when;
  struct tm tm;
  char text[64];
  gmtime_r(&t, &tm);
  strftime(text, sizeof text, "%b %e %H:%M:%S %Y GMT", &tm);
  lua_pushstring(L, text);
  return 1;
}

/* cert:notbefore() -> "Nov 26 18:16:31 2026 GMT". */
static int certificate_notbefore(lua_State *L) {
  int64_t before, after;
  validity(L, &before, &after);
  return push_time(L, before);
}

/* cert:notafter() -> the end of the validity period, same form. */
static int certificate_notafter(lua_State *L) {
  int64_t before, after;
  validity(L, &before, &after);
  return push_time(L, after);
}

/* cert:validat(unix_time) -> whether the certificate is valid then. */
static int certificate_validat(lua_State *L) {
  int64_t before, after;
  lua_Integer when = luaL_checkinteger(L, 2);
  validity(L, &before, &after);
  lua_pushboolean(L, when >= before && when <= after);
  return 1;
}

/* Appends value to the list field key of the table on the top. */
static void append(lua_State *L, const char *key, const char *value,
                   size_t len) {
  if (lua_getfield(L, -1, key) == LUA_TNIL) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, key);
  }
  lua_pushlstring(L, value, len);
  lua_rawseti(L, -2, luaL_len(L, -2) + 1);
  lua_pop(L, 1);
}

/* cert:extensions() -> {["2.5.29.17"] = {name = "X509v3 Subject
 * Alternative Name", dNSName = {...}, iPAddress = {...}, rfc822Name,
 * uniformResourceIdentifier}} (LuaSec's layout; SANs only). */
static int certificate_extensions(lua_State *L) {
  static const char *const kinds[][2] = {{"DNS:", "dNSName"},
                                         {"IP:", "iPAddress"},
                                         {"EMAIL:", "rfc822Name"},
                                         {"URI:", "uniformResourceIdentifier"}};
  push_copy(L, check_certificate(L, 1), sectrans_certificate_copy_san);
  size_t len;
  const char *text = lua_tolstring(L, -1, &len), *end = text + len;
  lua_newtable(L);
  if (len == 0)
    return 1;
  lua_newtable(L);
  lua_pushliteral(L, "X509v3 Subject Alternative Name");
  lua_setfield(L, -2, "name");
  while (text < end) {
    const char *eol = memchr(text, '\n', (size_t)(end - text));
    if (eol == NULL)
      eol = end;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
      size_t plen = strlen(kinds[k][0]);
      if ((size_t)(eol - text) >= plen && memcmp(text, kinds[k][0], plen) == 0)
        append(L, kinds[k][1], text + plen, (size_t)(eol - text) - plen);
    }
    text = eol + 1;
  }
  lua_setfield(L, -2, "2.5.29.17");
  return 1;
}

/* __gc: drops the certificate's reference (idempotent). */
static int certificate_gc(lua_State *L) {
  sectrans_certificate **box = luaL_checkudata(L, 1, LSEC_CERTIFICATE);
  sectrans_certificate_release(*box);
  *box = NULL;
  return 0;
}

/* __tostring: "sectrans.Certificate (<subject>): <address>". */
static int certificate_tostring(lua_State *L) {
  sectrans_certificate *cert = check_certificate(L, 1);
  push_copy(L, cert, sectrans_certificate_copy_subject);
  lua_pushfstring(L, "sectrans.Certificate (%s): %p", lua_tostring(L, -1),
                  (void *)cert);
  return 1;
}

/* a == b when both are certificates holding the same DER. */
static int certificate_eq(lua_State *L) {
  if (!luaL_testudata(L, 1, LSEC_CERTIFICATE) ||
      !luaL_testudata(L, 2, LSEC_CERTIFICATE)) {
    lua_pushboolean(L, 0);
    return 1;
  }
  certificate_der(L);
  lua_pushvalue(L, 2);
  lua_replace(L, 1);
  certificate_der(L);
  lua_pushboolean(L, lua_rawequal(L, -1, -2));
  return 1;
}

/* sectrans.loadcertificate(pem_or_der) -> certificate, or nil, message. */
int lsec_loadcertificate(lua_State *L) {
  size_t len;
  const char *data = luaL_checklstring(L, 1, &len);
  sectrans_certificate *cert = NULL;
  sectrans_status st =
      memmem(data, len, "-----BEGIN", 10)
          ? sectrans_certificate_create_from_pem(data, len, &cert)
          : sectrans_certificate_create_from_der(data, len, &cert);
  if (st != SECTRANS_SUCCESS)
    return lsec_push_status(L, st, NULL);
  lsec_push_certificate(L, cert);
  return 1;
}

/* Registers the sectrans.Certificate metatable. */
void lsec_certificate_open(lua_State *L) {
  static const luaL_Reg methods[] = {{"pem", certificate_pem},
                                     {"der", certificate_der},
                                     {"subject", certificate_subject},
                                     {"issuer", certificate_issuer},
                                     {"digest", certificate_digest},
                                     {"notbefore", certificate_notbefore},
                                     {"notafter", certificate_notafter},
                                     {"validat", certificate_validat},
                                     {"extensions", certificate_extensions},
                                     {NULL, NULL}};
  static const luaL_Reg meta[] = {{"__gc", certificate_gc},
                                  {"__tostring", certificate_tostring},
                                  {"__eq", certificate_eq},
                                  {NULL, NULL}};
  luaL_newmetatable(L, LSEC_CERTIFICATE);
  luaL_setfuncs(L, meta, 0);
  luaL_newlib(L, methods);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}
