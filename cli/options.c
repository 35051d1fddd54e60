/*
 * options.c: option values the client and the server share, and the config
 * they describe.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

sectrans_status split_host_port(const char *text, char *buf, size_t size,
                                char **host, char **port) {
  char *colon;
  if (strlen(text) >= size)
    return SECTRANS_ERR_PARAM;
  strcpy(buf, text);
  if (buf[0] == '[') { /* [V6]:PORT */
    char *end = strchr(buf, ']');
    if (end == NULL || end[1] != ':')
      return SECTRANS_ERR_PARAM;
    *end = '\0';
    *host = buf + 1;
    *port = end + 2;
  } else {
    if ((colon = strrchr(buf, ':')) == NULL)
      return SECTRANS_ERR_PARAM;
    *colon = '\0';
    *host = buf;
    *port = colon + 1;
  }
  return (*host)[0] != '\0' && (*port)[0] != '\0' ? SECTRANS_SUCCESS
                                                  : SECTRANS_ERR_PARAM;
}

sectrans_status protocol_from_text(const char *text, int *protocol) {
  if (strcmp(text, "1.2") == 0)
    *protocol = SECTRANS_PROTOCOL_TLS12;
  else if (strcmp(text, "1.3") == 0)
    *protocol = SECTRANS_PROTOCOL_TLS13;
  else
    return SECTRANS_ERR_PARAM;
  return SECTRANS_SUCCESS;
}

sectrans_status alpn_encode(const char *list, unsigned char *out, size_t size,
                            size_t *len) {
  size_t used = 0;
  const char *name = list;
  for (;;) {
    size_t n = strcspn(name, ",");
    if (n == 0 || n > 255 || used + 1 + n > size)
      return SECTRANS_ERR_PARAM;
    out[used++] = (unsigned char)n;
    memcpy(out + used, name, n);
    used += n;
    if (name[n] == '\0') {
      *len = used;
      return SECTRANS_SUCCESS;
    }
    name += n + 1;
  }
}

/* A suite by IANA number ("49195", "0xc02b") or standard name; -50 for
 * neither. */
static sectrans_status cipher_from_text(const char *text, size_t len,
                                        uint16_t *suite) {
  char word[128];
  char *end;
  if (len == 0 || len >= sizeof(word))
    return SECTRANS_ERR_PARAM;
  memcpy(word, text, len);
  word[len] = '\0';
  errno = 0;
  unsigned long number = strtoul(word, &end, 0);
  if (*end == '\0' && errno == 0 && number <= 0xffff) {
    *suite = (uint16_t)number;
    return SECTRANS_SUCCESS;
  }
  /* Names: the library knows them; 65536 lookups cost nothing. */
  for (unsigned n = 0; n <= 0xffff; n++) {
    const char *name = sectrans_cipher_name((uint16_t)n);
    if (name != NULL && strcmp(name, word) == 0) {
      *suite = (uint16_t)n;
      return SECTRANS_SUCCESS;
    }
  }
  return SECTRANS_ERR_PARAM;
}

sectrans_status ciphers_parse(const char *cmd, const char *list, uint16_t *out,
                              size_t max, size_t *count) {
  const char *word = list;
  *count = 0;
  for (;;) {
    size_t len = strcspn(word, ",");
    if (*count == max) {
      fprintf(stderr, "sectrans %s: too many cipher suites\n", cmd);
      return CLI_ERR_USAGE;
    }
    if (cipher_from_text(word, len, &out[*count]) != SECTRANS_SUCCESS) {
      fprintf(stderr, "sectrans %s: unknown cipher suite '%.*s'\n", cmd,
              (int)len, word);
      return CLI_ERR_USAGE;
    }
    ++*count;
    if (word[len] == '\0')
      return SECTRANS_SUCCESS;
    word += len + 1;
  }
}

sectrans_status tls_option(const char *cmd, int c, const char *arg,
                           struct tls_options *o) {
  switch (c) {
  case OPT_ALPN:
    o->alpn = arg;
    break;
  case OPT_CA:
    o->ca_file = arg;
    break;
  case OPT_CERT:
    o->cert_file = arg;
    break;
  case OPT_KEY:
    o->key_file = arg;
    break;
  case OPT_P12:
    o->p12_file = arg;
    break;
  case OPT_PASS:
    o->password = arg;
    break;
  case OPT_CIPHERS:
    o->ciphers = arg;
    break;
  case OPT_KEYLOG:
    o->keylog = arg;
    break;
  case OPT_MIN:
  case OPT_MAX:
    if (protocol_from_text(arg, c == OPT_MIN ? &o->min_protocol
                                             : &o->max_protocol) != 0) {
      fprintf(stderr,
              "sectrans %s: unknown protocol version '%s' "
              "(1.2 or 1.3)\n",
              cmd, arg);
      return CLI_ERR_USAGE;
    }
    break;
  default:
    return SECTRANS_ERR_UNIMPLEMENTED;
  }
  return SECTRANS_SUCCESS;
}

/* ---- the config ---------------------------------------------------------- */

static sectrans_status config_fail(const char *cmd, const char *step,
                                   sectrans_status status) {
  return status ? report_status(cmd, step, status, NULL) : status;
}

static sectrans_status apply_alpn(const char *cmd, sectrans_config *config,
                                  const char *list) {
  unsigned char encoded[1024];
  size_t len = 0;
  if (alpn_encode(list, encoded, sizeof(encoded), &len) != SECTRANS_SUCCESS) {
    fprintf(stderr, "sectrans %s: bad ALPN list '%s'\n", cmd, list);
    return CLI_ERR_USAGE;
  }
  return config_fail(cmd, "set ALPN",
                     sectrans_config_set_alpn(config, encoded, len));
}

static sectrans_status apply_ciphers(const char *cmd, sectrans_config *config,
                                     const char *list) {
  uint16_t suites[SECTRANS_MAX_CIPHERS];
  size_t count = 0;
  sectrans_status status = ciphers_parse(cmd, list, suites,
                                         SECTRANS_MAX_CIPHERS, &count);
  if (status != SECTRANS_SUCCESS)
    return status;
  return config_fail(
      cmd, "set cipher suites",
      sectrans_config_set_enabled_ciphers(config, suites, count));
}

static sectrans_status apply_protocols(const char *cmd, sectrans_config *config,
                                       const struct tls_options *o) {
  sectrans_status status = 0;
  if (o->min_protocol)
    status = sectrans_config_set_protocol_version_min(config, o->min_protocol);
  if (status == 0 && o->max_protocol)
    status = sectrans_config_set_protocol_version_max(config, o->max_protocol);
  return config_fail(cmd, "set protocol versions", status);
}

static sectrans_status apply_identity(const char *cmd, sectrans_config *config,
                                      const struct tls_options *o) {
  sectrans_identity *identity = NULL;
  if (o->cert_file == NULL && o->p12_file == NULL)
    return SECTRANS_SUCCESS;
  sectrans_status status = identity_load(cmd, o, &identity);
  if (status != SECTRANS_SUCCESS)
    return status;
  status = sectrans_config_set_identity(config, identity);
  sectrans_identity_release(identity);
  return config_fail(cmd, "set identity", status);
}

static sectrans_status apply_anchors(const char *cmd, sectrans_config *config,
                                     const char *ca_file) {
  sectrans_trust_store *store = NULL;
  if (ca_file == NULL)
    return SECTRANS_SUCCESS; /* the config's default: the system store */
  sectrans_status status = trust_store_load(cmd, ca_file, &store);
  if (status != SECTRANS_SUCCESS)
    return status;
  status = sectrans_config_set_trust_store(config, store);
  sectrans_trust_store_release(store);
  return config_fail(cmd, "set trust store", status);
}

/* --keylog wins over SSLKEYLOGFILE; an empty variable means none. */
static const char *keylog_path(const struct tls_options *o) {
  const char *env = getenv("SSLKEYLOGFILE");
  if (o->keylog != NULL)
    return o->keylog;
  return env != NULL && env[0] != '\0' ? env : NULL;
}

sectrans_status config_build(const char *cmd, int side,
                             const struct tls_options *o,
                             sectrans_config **out) {
  const char *keylog = keylog_path(o);
  sectrans_config *config = NULL;
  sectrans_status status = sectrans_config_create(side, &config);
  if (status != SECTRANS_SUCCESS)
    return config_fail(cmd, "create config", status);
  if ((status = apply_identity(cmd, config, o)) == 0 &&
      (status = apply_anchors(cmd, config, o->ca_file)) == 0 &&
      (status = apply_protocols(cmd, config, o)) == 0 &&
      (o->alpn == NULL || (status = apply_alpn(cmd, config, o->alpn)) == 0) &&
      (o->ciphers == NULL ||
       (status = apply_ciphers(cmd, config, o->ciphers)) == 0) &&
      (keylog == NULL || (status = keylog_install(cmd, config, keylog)) == 0)) {
    *out = config;
    return SECTRANS_SUCCESS;
  }
  sectrans_config_release(config);
  return status;
}

/* ---- the option loop every command shares -------------------------------- */

/* The word getopt_long rejected. Only -h is a short option, so a rejected
 * short option is the first letter of its word: a one-letter word ("-x") is
 * behind optind, a longer one ("-connect") is still at optind. */
static const char *rejected_word(int argc, char **argv) {
  const char *last = argv[optind - 1];
  if (optopt > 0 && optopt < 256 &&
      !(last[0] == '-' && last[1] == optopt && last[2] == '\0') &&
      optind < argc && argv[optind][0] == '-' && argv[optind][1] == optopt)
    return argv[optind];
  return last;
}

/* "-ca" for "--ca": say so, since `openssl s_client` takes one dash. */
static void report_rejected(const char *cmd, const char *word,
                            const struct option *longopts) {
  const char *equals = strchr(word, '=');
  if (optopt != 0 && word[1] == '-' && equals != NULL) { /* --www=x */
    fprintf(stderr, "sectrans %s: option '%.*s' takes no value\n", cmd,
            (int)(equals - word), word);
    return;
  }
  fprintf(stderr, "sectrans %s: bad option '%s'", cmd, word);
  for (const struct option *o = longopts; word[1] != '-' && o->name; o++) {
    if (strcmp(o->name, word + 1) == 0) {
      fprintf(stderr, " (did you mean '-%s'?)", word);
      break;
    }
  }
  fputc('\n', stderr);
}

enum parse_result options_parse(const char *cmd, int argc, char **argv,
                                const struct option *longopts,
                                sectrans_status (*handle)(int c, void *options),
                                void *options) {
  int c;
  sectrans_status handled;
  opterr = 0; /* our own messages name the command */
  /* The leading ':' makes a missing value ':' rather than '?'. */
  while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    if (c == 'h')
      return PARSE_HELP;
    if (c == ':') {
      fprintf(stderr, "sectrans %s: option '%s' needs a value\n", cmd,
              argv[optind - 1]);
      return PARSE_ERROR;
    }
    if (c == '?') {
      report_rejected(cmd, rejected_word(argc, argv), longopts);
      return PARSE_ERROR;
    }
    if ((handled = handle(c, options)) == CLI_ERR_USAGE)
      return PARSE_ERROR;
    if (handled != SECTRANS_SUCCESS) { /* in longopts, not handled: a bug */
      fprintf(stderr, "sectrans %s: option '%s' is not handled\n", cmd,
              argv[optind - 1]);
      return PARSE_ERROR;
    }
  }
  return PARSE_RUN;
}

sectrans_status timeout_parse(const char *cmd, const char *arg, int allow_zero,
                              int *out) {
  char *end;
  long value = strtol(arg, &end, 10);
  if (end == arg || *end != '\0' || value < (allow_zero ? 0 : 1) ||
      value > 86400) {
    fprintf(stderr, "sectrans %s: bad timeout '%s'\n", cmd, arg);
    return CLI_ERR_USAGE;
  }
  *out = (int)value;
  return SECTRANS_SUCCESS;
}
