/*
 * subject_sectrans.c: the subject, libsectrans through its public header only.
 *
 * Configs made once (the client's trusts the bench CA and verifies in full,
 * the server's holds the leaf identity); contexts over the memory
 * transport; resumption through a peer ID, as a Secure Transport program
 * does it. Everything else is sectrans's default.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sectrans/sectrans.h>

#include "bench.h"

/* Any constant works: the cache key also covers name and anchors. */
static const char peer_id[] = "sectrans-bench-peer";

struct st {
  sectrans_config *config[2]; /* indexed by enum side */
  sectrans_context *ctx[2];
  sectrans_status status; /* of the last failure */
  char error[256];
  uint8_t wire[BENCH_WIRE_CHUNK];
};

static int set_error(struct st *st, enum side side, const char *what,
                     sectrans_status status) {
  st->status = status;
  snprintf(st->error, sizeof(st->error), "%s: %s (%d) %s", what,
           sectrans_status_string(status), (int)status,
           st->ctx[side] ? sectrans_context_error_detail(st->ctx[side]) : "");
  return 0;
}

static int setup_client(struct st *st, const struct pki *pki) {
  sectrans_trust_store *anchors = NULL;
  int ok = sectrans_trust_store_create(&anchors) == SECTRANS_SUCCESS &&
           sectrans_trust_store_add_pem(
               anchors, pki->ca_pem, strlen(pki->ca_pem)) == SECTRANS_SUCCESS &&
           sectrans_config_create(SECTRANS_CLIENT, &st->config[SIDE_CLIENT]) ==
               SECTRANS_SUCCESS &&
           sectrans_config_set_trust_store(st->config[SIDE_CLIENT], anchors) ==
               SECTRANS_SUCCESS;
  sectrans_trust_store_release(anchors);
  return ok;
}

static int setup_server(struct st *st, const struct pki *pki) {
  sectrans_identity *identity = NULL;
  int ok = sectrans_identity_create_from_pem(
               pki->leaf_pem, strlen(pki->leaf_pem), pki->key_pem,
               strlen(pki->key_pem), NULL, &identity) == SECTRANS_SUCCESS &&
           sectrans_config_create(SECTRANS_SERVER, &st->config[SIDE_SERVER]) ==
               SECTRANS_SUCCESS &&
           sectrans_config_set_identity(st->config[SIDE_SERVER], identity) ==
               SECTRANS_SUCCESS;
  sectrans_identity_release(identity);
  return ok;
}

static void st_destroy(void *self);

static void *st_create(const struct pki *pki) {
  if (SECTRANS_CHECK_VERSION() != SECTRANS_SUCCESS) {
    bench_fail("sectrans", "library older than the header");
    return NULL;
  }
  struct st *st = calloc(1, sizeof(*st));
  if (st == NULL || !setup_client(st, pki) || !setup_server(st, pki)) {
    const char *why = sectrans_load_error();
    bench_fail("sectrans", "could not build the configs%s%s", why ? ": " : "",
               why ? why : "");
    st_destroy(st);
    return NULL;
  }
  return st;
}

static void st_disconnect(void *self) {
  struct st *st = self;
  for (int side = 0; side < 2; side++) {
    sectrans_context_release(st->ctx[side]);
    st->ctx[side] = NULL;
  }
}

static void st_destroy(void *self) {
  struct st *st = self;
  if (st == NULL)
    return;
  st_disconnect(st);
  sectrans_config_release(st->config[SIDE_CLIENT]);
  sectrans_config_release(st->config[SIDE_SERVER]);
  free(st);
}

static int st_connect(void *self, const char *host, int use_cache) {
  struct st *st = self;
  sectrans_status status;
  for (int side = 0; side < 2; side++) {
    status = sectrans_context_create_with_config(st->config[side],
                                                 &st->ctx[side]);
    if (status != SECTRANS_SUCCESS)
      goto fail;
  }
  sectrans_context *client = st->ctx[SIDE_CLIENT];
  status = sectrans_set_peer_domain_name(client, host, strlen(host));
  if (status == SECTRANS_SUCCESS && use_cache)
    status = sectrans_set_peer_id(client, peer_id, sizeof(peer_id) - 1);
  if (status == SECTRANS_SUCCESS)
    return 1;
fail:
  set_error(st, SIDE_CLIENT, "could not create the connection", status);
  st_disconnect(st);
  return 0;
}

static int st_handshake_step(void *self, enum side side) {
  struct st *st = self;
  sectrans_status status = sectrans_handshake(st->ctx[side]);
  if (status == SECTRANS_SUCCESS)
    return 1;
  if (status == SECTRANS_WOULD_BLOCK)
    return 0;
  set_error(st, side,
            side == SIDE_CLIENT ? "client handshake" : "server handshake",
            status);
  return -1;
}

static int st_transfer(void *self, enum side from) {
  struct st *st = self;
  for (;;) {
    size_t len = sizeof(st->wire);
    sectrans_status status = sectrans_take_output(st->ctx[from], st->wire,
                                                  &len);
    if (status != SECTRANS_SUCCESS)
      return set_error(st, from, "sectrans_take_output", status);
    if (len == 0)
      return 1;
    status = sectrans_feed_input(st->ctx[!from], st->wire, len);
    if (status != SECTRANS_SUCCESS)
      return set_error(st, !from, "sectrans_feed_input", status);
  }
}

static int st_send(void *self, enum side side, const void *data, size_t len) {
  struct st *st = self;
  size_t processed;
  sectrans_status status = sectrans_write(st->ctx[side], data, len, &processed);
  if (status != SECTRANS_SUCCESS)
    return set_error(st, side, "sectrans_write", status);
  return processed == len ? 1 : set_error(st, side, "short write", status);
}

static int st_receive(void *self, enum side side, void *buf, size_t len,
                      size_t *got) {
  struct st *st = self;
  sectrans_status status = sectrans_read(st->ctx[side], buf, len, got);
  if (status == SECTRANS_SUCCESS || status == SECTRANS_WOULD_BLOCK)
    return 1;
  return set_error(st, side, "sectrans_read", status);
}

static uint16_t wire_version(int protocol) {
  switch (protocol) {
  case SECTRANS_PROTOCOL_TLS13:
    return 0x0304;
  case SECTRANS_PROTOCOL_TLS12:
    return 0x0303;
  default:
    return 0;
  }
}

static int st_negotiated(void *self, struct negotiated *out) {
  struct st *st = self;
  sectrans_context *client = st->ctx[SIDE_CLIENT];
  int protocol = 0;
  sectrans_status status = sectrans_get_negotiated_protocol_version(client,
                                                                    &protocol);
  if (status == SECTRANS_SUCCESS)
    status = sectrans_get_negotiated_cipher(client, &out->cipher);
  if (status == SECTRANS_SUCCESS)
    status = sectrans_get_negotiated_group(client, &out->group);
  if (status == SECTRANS_SUCCESS)
    status = sectrans_get_session_resumed(client, &out->client_resumed);
  if (status == SECTRANS_SUCCESS)
    status = sectrans_get_session_resumed(st->ctx[SIDE_SERVER],
                                          &out->server_resumed);
  out->version = wire_version(protocol);
  return status == SECTRANS_SUCCESS
             ? 1
             : set_error(st, SIDE_CLIENT, "negotiated", status);
}

static int st_failed_on_host_name(void *self) {
  return ((struct st *)self)->status == SECTRANS_ERR_HOST_NAME_MISMATCH;
}

static const char *st_last_error(void *self) {
  return ((struct st *)self)->error;
}

const struct subject sectrans_subject = {
    .name = "sectrans",
    .create = st_create,
    .destroy = st_destroy,
    .connect = st_connect,
    .disconnect = st_disconnect,
    .handshake_step = st_handshake_step,
    .transfer = st_transfer,
    .send = st_send,
    .receive = st_receive,
    .negotiated = st_negotiated,
    .failed_on_host_name = st_failed_on_host_name,
    .last_error = st_last_error,
};
