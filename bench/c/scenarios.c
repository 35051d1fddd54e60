/*
 * scenarios.c: the work, written once for both subjects.
 *
 * Every iteration checks its own outcome (handshake done, parameters,
 * resumption, byte counts), so a subject cannot look fast by doing less.
 */
#include <string.h>

#include "bench.h"

enum {
  MAX_HANDSHAKE_ROUNDS = 8
};

static const struct {
  const char *name;
  const char *unit;
} scenarios[SCENARIO_COUNT] = {
    [SCENARIO_HANDSHAKE_FULL] = {"handshake-full", "handshakes/s"},
    [SCENARIO_HANDSHAKE_RESUMED] = {"handshake-resumed", "handshakes/s"},
    [SCENARIO_BULK_16K] = {"bulk-16k", "MB/s"},
    [SCENARIO_RTT_64] = {"rtt-64", "round trips/s"},
};

/* Plaintext to send, and room to receive it. */
static uint8_t outgoing[BENCH_BULK_WRITE];
static uint8_t incoming[BENCH_BULK_WRITE];

const char *scenario_name(enum scenario sc) { return scenarios[sc].name; }

const char *scenario_unit(enum scenario sc) { return scenarios[sc].unit; }

double scenario_amount(enum scenario sc, long count) {
  return sc == SCENARIO_BULK_16K ? (double)count * BENCH_BULK_WRITE / 1e6
                                 : (double)count;
}

static int subject_failed(const struct subject *s, void *self,
                          const char *what) {
  return bench_fail(s->name, "%s: %s", what, s->last_error(self));
}

/* Both sides step in turn, each flight moved to the peer at once. Returns
 * 1 when both are done, -1 when a side failed, 0 when it stalled. */
static int handshake(const struct subject *s, void *self) {
  int done[2] = {0, 0};
  for (int round = 0; round < MAX_HANDSHAKE_ROUNDS; round++) {
    for (int side = SIDE_CLIENT; side <= SIDE_SERVER; side++) {
      if (!done[side] && (done[side] = s->handshake_step(self, side)) < 0)
        return -1;
      if (!s->transfer(self, side))
        return -1;
    }
    if (done[SIDE_CLIENT] && done[SIDE_SERVER])
      return 1;
  }
  return 0;
}

static int handshake_or_fail(const struct subject *s, void *self) {
  int ret = handshake(s, self);
  if (ret < 0)
    return subject_failed(s, self, "handshake failed");
  return ret ? 1 : bench_fail(s->name, "handshake stalled");
}

/* expect_resumed: 1 or 0, or -1 when either is fine. */
static int check_negotiated(const struct subject *s, void *self,
                            int expect_resumed) {
  struct negotiated n;
  if (!s->negotiated(self, &n))
    return subject_failed(s, self, "negotiated parameters");
  if (n.version != BENCH_TLS13 || n.cipher != BENCH_AES_128_GCM_SHA256 ||
      n.group != BENCH_X25519)
    return bench_fail(s->name,
                      "negotiated version %04x, cipher %04x, group %u "
                      "instead of TLS 1.3, TLS_AES_128_GCM_SHA256, X25519",
                      n.version, n.cipher, n.group);
  if (expect_resumed >= 0 && (n.client_resumed != expect_resumed ||
                              n.server_resumed != expect_resumed))
    return bench_fail(s->name, "resumed: client %d, server %d; expected %d",
                      n.client_resumed, n.server_resumed, expect_resumed);
  return 1;
}

/* The client reads the server's session tickets (no plaintext comes). */
static int take_tickets(const struct subject *s, void *self) {
  size_t got;
  if (!s->receive(self, SIDE_CLIENT, incoming, 1, &got))
    return subject_failed(s, self, "reading the session tickets");
  return got == 0 ? 1 : bench_fail(s->name, "unexpected plaintext");
}

/* A connection that is set up, checked and has its tickets. */
static int establish(const struct subject *s, void *self, int use_cache,
                     int expect_resumed) {
  if (!s->connect(self, BENCH_HOST, use_cache))
    return subject_failed(s, self, "connect");
  return handshake_or_fail(s, self) &&
         check_negotiated(s, self, expect_resumed) && take_tickets(s, self);
}

/* One whole connection: set up, checked, torn down. */
static int connection(const struct subject *s, void *self, int use_cache,
                      int expect_resumed) {
  int ok = establish(s, self, use_cache, expect_resumed);
  s->disconnect(self);
  return ok;
}

static int receive_exactly(const struct subject *s, void *self, enum side side,
                           uint8_t *buf, size_t len) {
  for (size_t total = 0; total < len;) {
    size_t got;
    if (!s->receive(self, side, buf + total, len - total, &got))
      return subject_failed(s, self, "receive");
    if (got == 0)
      return bench_fail(s->name, "%zu of %zu bytes arrived", total, len);
    total += got;
  }
  return 1;
}

/* from sends len bytes of outgoing; its peer receives them in incoming. */
static int deliver(const struct subject *s, void *self, enum side from,
                   const uint8_t *data, size_t len) {
  if (!s->send(self, from, data, len) || !s->transfer(self, from))
    return subject_failed(s, self, "send");
  return receive_exactly(s, self, !from, incoming, len);
}

static int round_trip(const struct subject *s, void *self) {
  return deliver(s, self, SIDE_CLIENT, outgoing, BENCH_RTT_MESSAGE) &&
         deliver(s, self, SIDE_SERVER, incoming, BENCH_RTT_MESSAGE);
}

int scenario_prepare(const struct subject *s, void *self, enum scenario sc) {
  switch (sc) {
  case SCENARIO_HANDSHAKE_RESUMED:
    /* Leaves a ticket in the cache; it may itself resume an older one. */
    return connection(s, self, 1, -1);
  case SCENARIO_BULK_16K:
  case SCENARIO_RTT_64:
    return establish(s, self, 0, 0);
  default:
    return 1;
  }
}

int scenario_run(const struct subject *s, void *self, enum scenario sc,
                 long count) {
  int ok = 1;
  for (long i = 0; ok && i < count; i++) {
    switch (sc) {
    case SCENARIO_HANDSHAKE_FULL:
      ok = connection(s, self, 0, 0);
      break;
    case SCENARIO_HANDSHAKE_RESUMED:
      ok = connection(s, self, 1, 1);
      break;
    case SCENARIO_BULK_16K:
      ok = deliver(s, self, SIDE_CLIENT, outgoing, BENCH_BULK_WRITE);
      break;
    case SCENARIO_RTT_64:
      ok = round_trip(s, self);
      break;
    default:
      ok = 0;
      break;
    }
  }
  return ok;
}

void scenario_finish(const struct subject *s, void *self) {
  s->disconnect(self);
}

/* The peer must refuse a certificate without the name the client asked for. */
static int check_wrong_host(const struct subject *s, void *self) {
  if (!s->connect(self, BENCH_WRONG_HOST, 0))
    return subject_failed(s, self, "connect");
  int ret = handshake(s, self);
  int refused = ret < 0 && s->failed_on_host_name(self);
  s->disconnect(self);
  return refused ? 1
                 : bench_fail(s->name,
                              "a client verifying %s accepted the "
                              "certificate of %s",
                              BENCH_WRONG_HOST, BENCH_HOST);
}

/* Bytes arrive unchanged both ways, in bulk and in small messages. */
static int check_bytes(const struct subject *s, void *self) {
  int ok = scenario_prepare(s, self, SCENARIO_BULK_16K) &&
           deliver(s, self, SIDE_CLIENT, outgoing, BENCH_BULK_WRITE) &&
           memcmp(incoming, outgoing, BENCH_BULK_WRITE) == 0 &&
           round_trip(s, self) &&
           memcmp(incoming, outgoing, BENCH_RTT_MESSAGE) == 0;
  scenario_finish(s, self);
  return ok ? 1 : bench_fail(s->name, "bytes did not arrive unchanged");
}

int scenario_check(const struct subject *s, void *self) {
  for (size_t i = 0; i < sizeof(outgoing); i++)
    outgoing[i] = (uint8_t)(i * 31 + 7);
  return check_wrong_host(s, self) && check_bytes(s, self) &&
         scenario_prepare(s, self, SCENARIO_HANDSHAKE_RESUMED) &&
         scenario_run(s, self, SCENARIO_HANDSHAKE_RESUMED, 2);
}
