/*
 * callback_transport.c: Secure Transport's I/O callback contract, from C.
 *
 * Python cannot hand sectrans a C callback that moves one byte at a time,
 * nor pass a length above PTRDIFF_MAX, so these rules are checked here:
 *
 *  - Both roles run over callbacks that move ONE byte per call and return
 *    SECTRANS_WOULD_BLOCK on every other call (with *data_length = bytes
 *    moved), the harshest stream the contract allows. Handshake (TLS 1.2
 *    and 1.3), data both ways with Apple's write and read semantics, close
 *    on both sides, close_notify seen as SECTRANS_CLOSED_GRACEFUL.
 *  - A callback claiming more bytes than it was offered: -50, aborted.
 *  - A callback error: -9806 while a record header is awaited, unchanged
 *    inside a record or from the write callback; the context then stays
 *    aborted with that status.
 *  - Lengths above their maximum: -50 before memory is touched (the buffers
 *    are tiny heap blocks, so valgrind reports any touch).
 *
 * Everything runs on one thread: the test alternates calls on the two
 * contexts, so a would-block on one side is progress for the other.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixture.h"

/* Enough steps for any handshake or transfer below at one byte per two
 * calls (about 50,000 for the largest); hitting it means the two sides
 * stopped making progress. */
#define MAX_STEPS 500000

/* ---- a one-way byte queue ------------------------------------------------ */

struct byte_queue {
  unsigned char *data;
  size_t head, tail, cap;
};

static int queue_push(struct byte_queue *q, unsigned char byte) {
  if (q->tail == q->cap) {
    size_t cap = q->cap ? q->cap * 2 : 4096;
    unsigned char *data = realloc(q->data, cap);
    if (data == NULL)
      return 0;
    q->data = data;
    q->cap = cap;
  }
  q->data[q->tail++] = byte;
  return 1;
}

static int queue_pop(struct byte_queue *q, unsigned char *byte) {
  if (q->head == q->tail)
    return 0;
  *byte = q->data[q->head++];
  if (q->head == q->tail)
    q->head = q->tail = 0;
  return 1;
}

/* ---- one end of the channel, and the faults it can inject ---------------- */

enum fault_kind {
  FAULT_NONE,
  FAULT_READ_ERROR,      /* read returns fault_status once fault_after read */
  FAULT_WRITE_ERROR,     /* write returns fault_status once fault_after sent */
  FAULT_READ_OVERCLAIM,  /* read claims one byte more than it was asked */
  FAULT_WRITE_OVERCLAIM, /* write claims one byte more than it was offered */
};

struct endpoint {
  struct byte_queue *in, *out;
  unsigned long read_calls, write_calls;
  size_t bytes_read, bytes_written;
  enum fault_kind fault;
  size_t fault_after;
  sectrans_status fault_status; /* what an error fault returns */
  int fault_fired;
};

static int read_fault_due(const struct endpoint *ep, enum fault_kind kind) {
  return ep->fault == kind && ep->bytes_read >= ep->fault_after;
}

static int write_fault_due(const struct endpoint *ep, enum fault_kind kind) {
  return ep->fault == kind && ep->bytes_written >= ep->fault_after;
}

static sectrans_status read_one_byte(const void *connection, void *data,
                                     size_t *data_length) {
  struct endpoint *ep = (struct endpoint *)connection;
  size_t wanted = *data_length;
  unsigned char byte;

  *data_length = 0;
  if (wanted == 0)
    return SECTRANS_SUCCESS;
  if (read_fault_due(ep, FAULT_READ_ERROR)) {
    ep->fault_fired = 1;
    return ep->fault_status;
  }
  /* Every other call moves nothing: a would-block with zero bytes. */
  if (ep->read_calls++ % 2 == 0 || !queue_pop(ep->in, &byte))
    return SECTRANS_WOULD_BLOCK;
  *(unsigned char *)data = byte;
  ep->bytes_read++;
  *data_length = 1;
  if (read_fault_due(ep, FAULT_READ_OVERCLAIM)) {
    ep->fault_fired = 1;
    *data_length = wanted + 1;
    return ep->fault_status;
  }
  return wanted == 1 ? SECTRANS_SUCCESS : SECTRANS_WOULD_BLOCK;
}

static sectrans_status write_one_byte(const void *connection, const void *data,
                                      size_t *data_length) {
  struct endpoint *ep = (struct endpoint *)connection;
  size_t offered = *data_length;

  *data_length = 0;
  if (offered == 0)
    return SECTRANS_SUCCESS;
  if (write_fault_due(ep, FAULT_WRITE_ERROR)) {
    ep->fault_fired = 1;
    return ep->fault_status;
  }
  if (ep->write_calls++ % 2 == 0)
    return SECTRANS_WOULD_BLOCK;
  if (!queue_push(ep->out, *(const unsigned char *)data))
    return SECTRANS_ERR_ALLOCATE;
  ep->bytes_written++;
  *data_length = 1;
  if (write_fault_due(ep, FAULT_WRITE_OVERCLAIM)) {
    ep->fault_fired = 1;
    *data_length = offered + 1;
    return ep->fault_status;
  }
  return offered == 1 ? SECTRANS_SUCCESS : SECTRANS_WOULD_BLOCK;
}

/* ---- a client and a server joined by two queues -------------------------- */

struct pair {
  sectrans_context *client, *server;
  struct byte_queue to_server, to_client;
  struct endpoint client_end, server_end;
};

static sectrans_status attach(sectrans_context *ctx, struct endpoint *ep) {
  sectrans_status status = sectrans_set_io_funcs(ctx, read_one_byte,
                                                 write_one_byte);
  if (status == SECTRANS_SUCCESS)
    status = sectrans_set_connection(ctx, ep);
  return status;
}

static void pair_clear(struct pair *p) {
  sectrans_context_release(p->client);
  sectrans_context_release(p->server);
  free(p->to_server.data);
  free(p->to_client.data);
  memset(p, 0, sizeof(*p));
}

static int pair_init(struct pair *p, const struct fixture *f,
                     int max_protocol) {
  memset(p, 0, sizeof(*p));
  p->client_end.in = &p->to_client;
  p->client_end.out = &p->to_server;
  p->server_end.in = &p->to_server;
  p->server_end.out = &p->to_client;
  if (fixture_client(f, max_protocol, &p->client) != SECTRANS_SUCCESS ||
      fixture_server(f, SECTRANS_PROTOCOL_TLS13, &p->server) !=
          SECTRANS_SUCCESS ||
      !CHECK_STATUS(attach(p->client, &p->client_end), SECTRANS_SUCCESS) ||
      !CHECK_STATUS(attach(p->server, &p->server_end), SECTRANS_SUCCESS)) {
    pair_clear(p);
    return 0;
  }
  const void *cookie = NULL;
  CHECK_STATUS(sectrans_get_connection(p->client, &cookie), SECTRANS_SUCCESS);
  CHECK(cookie == &p->client_end);
  return 1;
}

/* After would-block the context must say what it waits for. */
static void check_wants(const sectrans_context *ctx, sectrans_status status) {
  if (status == SECTRANS_WOULD_BLOCK)
    CHECK(sectrans_wants(ctx) != SECTRANS_WANT_NOTHING);
}

static int is_fatal(sectrans_status status) {
  return status != SECTRANS_SUCCESS && status != SECTRANS_WOULD_BLOCK;
}

/* Drives both handshakes until neither would block, or one failed (its
 * peer would then wait forever). */
static void pump_handshake(struct pair *p, sectrans_status *client_status,
                           sectrans_status *server_status) {
  sectrans_status cs = SECTRANS_WOULD_BLOCK, ss = SECTRANS_WOULD_BLOCK;
  for (long step = 0; step < MAX_STEPS; step++) {
    if (cs == SECTRANS_WOULD_BLOCK) {
      cs = sectrans_handshake(p->client);
      check_wants(p->client, cs);
    }
    if (ss == SECTRANS_WOULD_BLOCK) {
      ss = sectrans_handshake(p->server);
      check_wants(p->server, ss);
    }
    if ((cs != SECTRANS_WOULD_BLOCK && ss != SECTRANS_WOULD_BLOCK) ||
        is_fatal(cs) || is_fatal(ss))
      break;
  }
  *client_status = cs;
  *server_status = ss;
}

static int handshake(struct pair *p) {
  sectrans_status cs, ss;
  pump_handshake(p, &cs, &ss);
  return CHECK_STATUS(cs, SECTRANS_SUCCESS) &
         CHECK_STATUS(ss, SECTRANS_SUCCESS);
}

/* ---- data, Apple style --------------------------------------------------- */

static unsigned char *pattern(size_t len, unsigned seed) {
  unsigned char *buf = malloc(len);
  for (size_t i = 0; buf != NULL && i < len; i++)
    buf[i] = (unsigned char)(i * 31 + seed);
  return buf;
}

/* One read of at most want bytes into buf + *have, checking Apple's rules
 * on what a read may report. */
static sectrans_status read_step(sectrans_context *ctx, unsigned char *buf,
                                 size_t want, size_t *have) {
  size_t processed = 12345;
  sectrans_status status = sectrans_read(ctx, buf + *have, want, &processed);
  if (status != SECTRANS_SUCCESS && status != SECTRANS_WOULD_BLOCK)
    CHECK(processed == 0);
  else
    CHECK(processed <= want);
  /* Never success with nothing for a non-empty buffer. */
  if (status == SECTRANS_SUCCESS)
    CHECK(processed > 0);
  if (processed <= want)
    *have += processed;
  return status;
}

/* The writer hands over len bytes in one call, then only flushes, while
 * the reader collects them. The reader's first read takes only a few bytes,
 * leaving plaintext buffered; later reads always offer one byte more than
 * is still to come. So at least one read copies buffered plaintext, finds
 * room left, tries one more record (the callback transport is Apple-exact,
 * SSLRead step 5) and must return the data with SECTRANS_WOULD_BLOCK.
 * Returns 1 when all arrived intact. */
static int transfer(sectrans_context *writer, sectrans_context *reader,
                    size_t len, unsigned seed) {
  enum {
    FIRST_READ = 100
  };
  unsigned char *sent = pattern(len, seed), *got = malloc(len + 1);
  size_t processed = 0, have = 0, refused = 99, buffered = 0;
  sectrans_status ws, rs = SECTRANS_WOULD_BLOCK;
  int data_with_would_block = 0;
  int ok = CHECK(sent != NULL && got != NULL) && CHECK(len > 2 * FIRST_READ);

  ws = ok ? sectrans_write(writer, sent, len, &processed)
          : SECTRANS_ERR_ALLOCATE;
  /* All bytes are taken at once; the one-byte channel cannot drain them. */
  ok = ok && CHECK_STATUS(ws, SECTRANS_WOULD_BLOCK) && CHECK(processed == len);
  if (ok) {
    /* New data is refused while the queue has not drained. */
    CHECK_STATUS(sectrans_write(writer, "x", 1, &refused),
                 SECTRANS_WOULD_BLOCK);
    CHECK(refused == 0);
  }
  for (long step = 0; ok && step < MAX_STEPS; step++) {
    if (ws == SECTRANS_WOULD_BLOCK) {
      ws = sectrans_write(writer, NULL, 0, &processed); /* flush only */
      CHECK(processed == 0);
    }
    if (have == 0) {
      rs = read_step(reader, got, FIRST_READ, &have);
      if (have > 0) {
        CHECK_STATUS(sectrans_get_buffered_read_size(reader, &buffered),
                     SECTRANS_SUCCESS);
        CHECK(buffered > 0);
      }
    } else if (have < len) {
      size_t before = have;
      rs = read_step(reader, got, len + 1 - have, &have);
      data_with_would_block |= rs == SECTRANS_WOULD_BLOCK && have > before;
    }
    if (ws != SECTRANS_WOULD_BLOCK && (have == len || is_fatal(rs)))
      break;
  }
  ok = ok && CHECK_STATUS(ws, SECTRANS_SUCCESS) && CHECK(have == len) &&
       CHECK(memcmp(sent, got, len) == 0) && CHECK(data_with_would_block);
  free(sent);
  free(got);
  return ok;
}

/* ---- close --------------------------------------------------------------- */

/* closer sends close_notify; the other side must read -9805, then close too,
 * and a read after close on the closer gives -9805 as well. */
static void close_both(sectrans_context *closer, sectrans_context *other) {
  sectrans_status cs = SECTRANS_WOULD_BLOCK, os = SECTRANS_WOULD_BLOCK;
  unsigned char buf[64];
  size_t processed = 1, have = 0;
  int state = -1;

  for (long step = 0; step < MAX_STEPS; step++) {
    if (cs == SECTRANS_WOULD_BLOCK)
      cs = sectrans_close(closer);
    if (os == SECTRANS_WOULD_BLOCK) {
      have = 0;
      os = read_step(other, buf, sizeof(buf), &have);
      CHECK(have == 0); /* no data was sent after the transfers */
    }
    if (cs != SECTRANS_WOULD_BLOCK && os != SECTRANS_WOULD_BLOCK)
      break;
  }
  CHECK_STATUS(cs, SECTRANS_SUCCESS);
  CHECK_STATUS(os, SECTRANS_CLOSED_GRACEFUL);
  /* The reader's close flushes its own close_notify (already queued by the
   * read, as in Secure Transport): call until it drains. */
  for (long step = 0; step < MAX_STEPS && os != SECTRANS_SUCCESS; step++) {
    os = sectrans_close(other);
    if (os != SECTRANS_WOULD_BLOCK)
      break;
  }
  CHECK_STATUS(os, SECTRANS_SUCCESS);
  CHECK_STATUS(sectrans_read(closer, buf, sizeof(buf), &processed),
               SECTRANS_CLOSED_GRACEFUL);
  CHECK(processed == 0);
  CHECK_STATUS(sectrans_write(closer, "x", 1, &processed),
               SECTRANS_CLOSED_GRACEFUL);
  CHECK(processed == 0);
  CHECK_STATUS(sectrans_get_session_state(closer, &state), SECTRANS_SUCCESS);
  CHECK(state == SECTRANS_STATE_CLOSED);
  CHECK_STATUS(sectrans_get_session_state(other, &state), SECTRANS_SUCCESS);
  CHECK(state == SECTRANS_STATE_CLOSED);
}

/* ---- the cases ----------------------------------------------------------- */

static void check_negotiated(const struct pair *p, int protocol) {
  int client_version = -1, server_version = -2;
  unsigned char alpn[16];
  size_t alpn_len = sizeof(alpn);

  CHECK_STATUS(
      sectrans_get_negotiated_protocol_version(p->client, &client_version),
      SECTRANS_SUCCESS);
  CHECK_STATUS(
      sectrans_get_negotiated_protocol_version(p->server, &server_version),
      SECTRANS_SUCCESS);
  CHECK(client_version == protocol && server_version == protocol);
  CHECK_STATUS(sectrans_get_negotiated_alpn(p->client, alpn, &alpn_len),
               SECTRANS_SUCCESS);
  CHECK(alpn_len == 2 && memcmp(alpn, "h2", 2) == 0);
}

/* Lengths Python cannot express. Each buffer is a 16-byte heap block, so a
 * single byte touched past it is a valgrind error. */
static void check_length_limits(sectrans_context *ctx) {
  unsigned char *small = calloc(1, 16);
  size_t processed = 7;

  if (!CHECK(small != NULL))
    return;
  CHECK_STATUS(
      sectrans_write(ctx, small, SECTRANS_MAX_IO_LENGTH + 1, &processed),
      SECTRANS_ERR_PARAM);
  CHECK(processed == 0);
  processed = 7;
  CHECK_STATUS(sectrans_write(ctx, small, SIZE_MAX, &processed),
               SECTRANS_ERR_PARAM);
  CHECK(processed == 0);
  processed = 7;
  CHECK_STATUS(
      sectrans_read(ctx, small, SECTRANS_MAX_IO_LENGTH + 1, &processed),
      SECTRANS_ERR_PARAM);
  CHECK(processed == 0);
  processed = 7;
  CHECK_STATUS(sectrans_read(ctx, small, SIZE_MAX, &processed),
               SECTRANS_ERR_PARAM);
  CHECK(processed == 0);
  free(small);
}

static void case_round_trip(const struct fixture *f, int protocol) {
  struct pair p;
  if (!pair_init(&p, f, protocol))
    return;
  if (handshake(&p)) {
    check_negotiated(&p, protocol);
    /* More than one record (16 KiB) client to server; less back. */
    transfer(p.client, p.server, 20000, 1);
    transfer(p.server, p.client, 3000, 2);
    check_length_limits(p.client);
    close_both(p.client, p.server);
  }
  /* The counts show the one-byte channel really carried the session. */
  printf("round trip over one-byte callbacks, %s: done (client sent %zu "
         "bytes in %lu write calls, received %zu in %lu read calls)\n",
         protocol == SECTRANS_PROTOCOL_TLS13 ? "TLS 1.3" : "TLS 1.2",
         p.client_end.bytes_written, p.client_end.write_calls,
         p.client_end.bytes_read, p.client_end.read_calls);
  pair_clear(&p);
}

/* After a failed handshake: aborted, and every later call says the same. */
static void check_aborted_with(sectrans_context *ctx, sectrans_status want) {
  int state = -1;
  size_t processed = 5;
  unsigned char buf[8];

  CHECK_STATUS(sectrans_get_session_state(ctx, &state), SECTRANS_SUCCESS);
  CHECK(state == SECTRANS_STATE_ABORTED);
  CHECK_STATUS(sectrans_handshake(ctx), want);
  CHECK_STATUS(sectrans_write(ctx, "x", 1, &processed), want);
  CHECK(processed == 0);
  processed = 5;
  CHECK_STATUS(sectrans_read(ctx, buf, sizeof(buf), &processed), want);
  CHECK(processed == 0);
}

struct fault_case {
  const char *name;
  int on_client; /* which endpoint misbehaves */
  enum fault_kind fault;
  size_t fault_after;
  sectrans_status fault_status;
  sectrans_status want; /* what the faulty side's handshake returns */
};

static const struct fault_case fault_cases[] = {
    /* The server's first read is the ClientHello's record header. */
    {"read claims more than asked (success)", 0, FAULT_READ_OVERCLAIM, 0,
     SECTRANS_SUCCESS, SECTRANS_ERR_PARAM},
    {"read claims more than asked (would-block)", 0, FAULT_READ_OVERCLAIM, 0,
     SECTRANS_WOULD_BLOCK, SECTRANS_ERR_PARAM},
    {"write claims more than offered", 1, FAULT_WRITE_OVERCLAIM, 0,
     SECTRANS_SUCCESS, SECTRANS_ERR_PARAM},
    /* The client's first read awaits the ServerHello's record header. */
    {"read error while a header is awaited", 1, FAULT_READ_ERROR, 0,
     SECTRANS_ERR_IO, SECTRANS_CLOSED_ABORT},
    {"EOF (closed graceful) while a header is awaited", 1, FAULT_READ_ERROR, 0,
     SECTRANS_CLOSED_GRACEFUL, SECTRANS_CLOSED_ABORT},
    /* 10 bytes in is inside the ServerHello record's body. */
    {"read error inside a record", 1, FAULT_READ_ERROR, 10, SECTRANS_ERR_IO,
     SECTRANS_ERR_IO},
    {"write error mid-record", 1, FAULT_WRITE_ERROR, 3,
     SECTRANS_ERR_NETWORK_TIMEOUT, SECTRANS_ERR_NETWORK_TIMEOUT},
};

static void case_fault(const struct fixture *f, const struct fault_case *c) {
  struct pair p;
  sectrans_status cs, ss;
  if (!pair_init(&p, f, SECTRANS_PROTOCOL_TLS13))
    return;
  struct endpoint *ep = c->on_client ? &p.client_end : &p.server_end;
  sectrans_context *faulty = c->on_client ? p.client : p.server;
  ep->fault = c->fault;
  ep->fault_after = c->fault_after;
  ep->fault_status = c->fault_status;

  pump_handshake(&p, &cs, &ss);
  if (!CHECK(ep->fault_fired))
    fprintf(stderr, "  in case: %s\n", c->name);
  if (!CHECK_STATUS(c->on_client ? cs : ss, c->want))
    fprintf(stderr, "  in case: %s\n", c->name);
  check_aborted_with(faulty, c->want);
  printf("fault: %s: done\n", c->name);
  pair_clear(&p);
}

/* EOF on a record boundary after the handshake: -9806 from read. */
static void case_eof_after_handshake(const struct fixture *f) {
  struct pair p;
  unsigned char buf[32];
  size_t have = 0;
  sectrans_status status = SECTRANS_WOULD_BLOCK;

  if (!pair_init(&p, f, SECTRANS_PROTOCOL_TLS12))
    return;
  if (handshake(&p)) {
    p.client_end.fault = FAULT_READ_ERROR;
    p.client_end.fault_after = p.client_end.bytes_read;
    p.client_end.fault_status = SECTRANS_CLOSED_GRACEFUL;
    for (long step = 0; step < MAX_STEPS && status == SECTRANS_WOULD_BLOCK;
         step++)
      status = read_step(p.client, buf, sizeof(buf) - have, &have);
    CHECK_STATUS(status, SECTRANS_CLOSED_ABORT);
    CHECK(have == 0);
  }
  printf("EOF on a record boundary after the handshake: done\n");
  pair_clear(&p);
}

static void case_peer_name_limits(void) {
  char *name = malloc(256);
  sectrans_context *ctx = NULL;
  char back[300];
  size_t len = sizeof(back);

  if (!CHECK(name != NULL) ||
      !CHECK_STATUS(
          sectrans_context_create(SECTRANS_CLIENT, SECTRANS_STREAM, &ctx),
          SECTRANS_SUCCESS)) {
    free(name);
    return;
  }
  /* A valid host name shape (labels under 63 bytes), so only the length
   * can be what is refused. */
  for (size_t i = 0; i < 256; i++)
    name[i] = i % 50 == 49 ? '.' : 'a';
  CHECK_STATUS(sectrans_set_peer_domain_name(ctx, name, 254),
               SECTRANS_ERR_PARAM);
  name[254] = '\0'; /* 254 name bytes + NUL: still too long */
  CHECK_STATUS(sectrans_set_peer_domain_name(ctx, name, 255),
               SECTRANS_ERR_PARAM);
  CHECK_STATUS(sectrans_set_peer_domain_name(ctx, name, SIZE_MAX),
               SECTRANS_ERR_PARAM);
  name[100] = '\0'; /* embedded NUL */
  CHECK_STATUS(sectrans_set_peer_domain_name(ctx, name, 200),
               SECTRANS_ERR_PARAM);
  name[100] = 'a';
  CHECK_STATUS(sectrans_set_peer_domain_name(ctx, name, 253), SECTRANS_SUCCESS);
  name[253] = '\0'; /* 253 + the optional trailing NUL */
  CHECK_STATUS(sectrans_set_peer_domain_name(ctx, name, 254), SECTRANS_SUCCESS);
  CHECK_STATUS(sectrans_get_peer_domain_name(ctx, back, &len),
               SECTRANS_SUCCESS);
  CHECK(len == 253 && memcmp(back, name, 253) == 0);
  /* NULL with length 0 clears the name (UBSan: no memchr of NULL). */
  CHECK_STATUS(sectrans_set_peer_domain_name(ctx, NULL, 0), SECTRANS_SUCCESS);
  len = sizeof(back);
  CHECK_STATUS(sectrans_get_peer_domain_name(ctx, back, &len),
               SECTRANS_SUCCESS);
  CHECK(len == 0);
  printf("peer domain name limits: done\n");
  sectrans_context_release(ctx);
  free(name);
}

/* The memory transport's lengths, on a context that never handshakes. */
static void case_memory_transport_limits(void) {
  unsigned char *small = calloc(1, 16);
  sectrans_context *ctx = NULL;
  size_t len = SECTRANS_MAX_IO_LENGTH + 1;

  if (CHECK(small != NULL) &&
      CHECK_STATUS(
          sectrans_context_create(SECTRANS_CLIENT, SECTRANS_STREAM, &ctx),
          SECTRANS_SUCCESS)) {
    CHECK_STATUS(sectrans_feed_input(ctx, small, SECTRANS_MAX_IO_LENGTH + 1),
                 SECTRANS_ERR_PARAM);
    CHECK_STATUS(sectrans_feed_input(ctx, small, SIZE_MAX), SECTRANS_ERR_PARAM);
    CHECK_STATUS(sectrans_take_output(ctx, small, &len), SECTRANS_ERR_PARAM);
  }
  printf("memory transport length limits: done\n");
  sectrans_context_release(ctx);
  free(small);
}

int main(void) {
  struct fixture f;
  if (fixture_init(&f) != SECTRANS_SUCCESS)
    return 1;
  case_round_trip(&f, SECTRANS_PROTOCOL_TLS13);
  case_round_trip(&f, SECTRANS_PROTOCOL_TLS12);
  for (size_t i = 0; i < sizeof(fault_cases) / sizeof(fault_cases[0]); i++)
    case_fault(&f, &fault_cases[i]);
  case_eof_after_handshake(&f);
  case_peer_name_limits();
  case_memory_transport_limits();
  fixture_clear(&f);
  return check_exit_status("callback_transport");
}
