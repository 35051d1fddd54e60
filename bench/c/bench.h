/*
 * bench.h: what the parts of the C benchmark share.
 *
 * Two subjects do the same TLS work in one process, client and server over
 * memory: sectrans (through its public header only) and raw libssl over
 * memory BIOs (BoringSSL; OpenSSL 3 in a second build). main.c times them
 * in interleaved pairs.
 */
#ifndef SECTRANS_BENCH_H
#define SECTRANS_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* The peer name in the leaf's subjectAltName, and one that is not there. */
#define BENCH_HOST "bench.sectrans.test"
#define BENCH_WRONG_HOST "wrong.sectrans.test"

/* What both subjects must negotiate (IANA numbers). */
enum {
  BENCH_TLS13 = 0x0304,
  BENCH_AES_128_GCM_SHA256 = 0x1301,
  BENCH_X25519 = 29,
  BENCH_BULK_WRITE = 16384, /* bulk-16k: bytes per write */
  BENCH_RTT_MESSAGE = 64,   /* rtt-64: bytes each way */
  BENCH_WIRE_CHUNK = 32768  /* bytes moved between the peers at once */
};

enum scenario {
  SCENARIO_HANDSHAKE_FULL,
  SCENARIO_HANDSHAKE_RESUMED,
  SCENARIO_BULK_16K,
  SCENARIO_RTT_64,
  SCENARIO_COUNT
};

/* The test PKI, made once at startup: a CA and an ECDSA P-256 leaf for
 * BENCH_HOST signed by it, as PEM (both subjects read the same bytes). */
struct pki {
  char *ca_pem;
  char *leaf_pem;
  char *key_pem;
};

/* pki_create fills *pki; 0 on failure (reason on stderr). */
int pki_create(struct pki *pki);
void pki_free(struct pki *pki);

enum side {
  SIDE_CLIENT,
  SIDE_SERVER
};

/* What a handshake settled on, as IANA numbers. */
struct negotiated {
  uint16_t version;
  uint16_t cipher;
  uint16_t group;
  int client_resumed;
  int server_resumed;
};

/* A subject: the code under measurement, as the few steps the scenarios
 * (scenarios.c, written once for both) are made of. A subject holds at
 * most one connection (a client and a server over memory) at a time.
 * Functions returning int give 1 on success and 0 on failure, with the
 * reason in last_error. */
struct subject {
  const char *name;
  /* Builds the long-lived configs (SSL_CTXs) from the PKI; NULL on failure
   * (reason on stderr). */
  void *(*create)(const struct pki *pki);
  void (*destroy)(void *self);
  /* A new client and server. The client verifies the server for host.
   * With use_cache it offers a ticket cached by an earlier connection, if
   * any, and caches the tickets it receives; without, it does neither. */
  int (*connect)(void *self, const char *host, int use_cache);
  void (*disconnect)(void *self);
  /* Drives one side's handshake: 1 done, 0 waiting for the peer, -1
   * failed. A server that is done has sent its session tickets. */
  int (*handshake_step)(void *self, enum side side);
  /* Moves all ciphertext that side wrote into its peer's input. */
  int (*transfer)(void *self, enum side from);
  /* Encrypts all len bytes as side. */
  int (*send)(void *self, enum side side, const void *data, size_t len);
  /* Decrypts what side has received into buf; *got 0 means nothing yet. */
  int (*receive)(void *self, enum side side, void *buf, size_t len,
                 size_t *got);
  int (*negotiated)(void *self, struct negotiated *out);
  /* After a failed handshake: 1 when the client rejected the server's
   * certificate because the host name does not match. */
  int (*failed_on_host_name)(void *self);
  const char *(*last_error)(void *self);
};

extern const struct subject sectrans_subject;
/* Raw libssl: BoringSSL, or OpenSSL 3 in the sectrans-bench-openssl3
 * build (subject_raw.c). Its name says which. */
extern const struct subject raw_subject;

/* The scenarios, written once over struct subject (scenarios.c). Each
 * returns 1, or 0 after printing why the work was not done as asked. */
const char *scenario_name(enum scenario sc);
/* The unit of scenario_amount per second, such as "handshakes/s". */
const char *scenario_unit(enum scenario sc);
/* How much work count iterations are, in that unit (MB for bulk). */
double scenario_amount(enum scenario sc, long count);
/* Startup checks that the work is the same: a wrong host name fails
 * verification, the agreed parameters are TLS 1.3, TLS_AES_128_GCM_SHA256
 * and X25519, bytes arrive intact in both directions, resumption resumes. */
int scenario_check(const struct subject *s, void *self);
/* Untimed: the connection for bulk and round trips, a ticket for resumption. */
int scenario_prepare(const struct subject *s, void *self, enum scenario sc);
/* The timed part: count iterations, each one checked. */
int scenario_run(const struct subject *s, void *self, enum scenario sc,
                 long count);
void scenario_finish(const struct subject *s, void *self);

/* One scenario's outcome over all pairs (rates in scenario_unit). */
struct result {
  enum scenario scenario;
  int pairs;
  long iterations;        /* per run, the same for both subjects */
  double subject_median;  /* sectrans */
  double baseline_median; /* raw libssl */
  double ratio_median;    /* of the per-pair ratios sectrans / raw */
  double ratio_min;
  double ratio_max;
};

/* report.c: the summary of per-pair rates, the table, the JSON file. */
void result_summarize(struct result *r, const double *subject,
                      const double *baseline, int pairs);
void report_table(const char *baseline, const struct result *results,
                  int count);
/* Writes the design's JSON shape; 0 on failure (reason on stderr). */
int report_json(const char *path, const char *baseline,
                const struct result *results, int count, double seconds_per_run,
                const char *clock_name);

/* A subject with its state. */
struct contender {
  const struct subject *ops;
  void *self;
};

/* instructions.c: under callgrind, one dump per subject and wanted
 * scenario, each covering a fixed number of iterations (named in the
 * dump's description: "<subject> <scenario> <iterations>"). */
int count_instructions(const struct contender pair[2],
                       const int wanted[SCENARIO_COUNT]);

/* Prints "subject: what" to stderr and returns 0, for one-line failures. */
int bench_fail(const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* SECTRANS_BENCH_H */
