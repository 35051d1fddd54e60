/*
 * main.c: sectrans against raw libssl (BoringSSL, or OpenSSL 3 in the
 * sectrans-bench-openssl3 build), in interleaved A/B pairs.
 *
 * For each scenario both subjects run the same number of iterations (sized
 * so that a raw run takes about --seconds), one after the other, the order
 * swapped every pair; a pair's ratio is sectrans's rate over raw's. The
 * median rates and the median, min and max ratio are reported (bench/README.md,
 * "The method (every suite)"). Runs are timed in thread CPU time (--wall: wall
 * clock). Pin it to one CPU: bench/c/run.sh does.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sectrans/sectrans.h>

#include "bench.h"

enum {
  MAX_PAIRS = 1000
};

struct options {
  int pairs;
  double seconds;        /* per run */
  const char *json_path; /* NULL: no file */
  int instructions;      /* count instructions under callgrind instead */
  int wanted[SCENARIO_COUNT];
};

int bench_fail(const char *subject, const char *fmt, ...) {
  va_list args;
  fprintf(stderr, "%s: ", subject);
  va_start(args, fmt);
  vfprintf(stderr, fmt, args);
  va_end(args);
  fputc('\n', stderr);
  return 0;
}

/* Which clock times a run: the thread's CPU time by default, because all
 * the work is computation on this one thread and the machines are shared
 * (time spent preempted by other processes is not the subject's). */
static clockid_t run_clock = CLOCK_THREAD_CPUTIME_ID;

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(run_clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One timed run: its duration in seconds, or a negative number on failure. */
static double timed_run(const struct contender *c, enum scenario sc,
                        long count) {
  if (!scenario_prepare(c->ops, c->self, sc))
    return -1;
  double start = now_seconds();
  int ok = scenario_run(c->ops, c->self, sc, count);
  double elapsed = now_seconds() - start;
  scenario_finish(c->ops, c->self);
  return ok ? elapsed : -1;
}

/* The iteration count for which the baseline runs about `seconds`; both
 * subjects are warmed up on the way. 0 on failure. */
static long calibrate(const struct contender pair[2], enum scenario sc,
                      double seconds) {
  for (long count = 1;; count *= 4) {
    if (timed_run(&pair[0], sc, count) < 0)
      return 0;
    double elapsed = timed_run(&pair[1], sc, count);
    if (elapsed < 0)
      return 0;
    if (elapsed >= seconds / 8 || count >= (1L << 40)) {
      long sized = (long)(count * seconds / elapsed);
      return sized > 0 ? sized : 1;
    }
  }
}

static int measure(const struct contender pair[2], enum scenario sc,
                   const struct options *opt, struct result *r) {
  double rates[2][opt->pairs];
  long count = calibrate(pair, sc, opt->seconds);
  if (count == 0)
    return 0;
  r->scenario = sc;
  r->iterations = count;
  for (int i = 0; i < opt->pairs; i++) {
    for (int k = 0; k < 2; k++) {
      int who = (i + k) % 2; /* sectrans first in even pairs, raw in odd */
      double elapsed = timed_run(&pair[who], sc, count);
      if (elapsed < 0)
        return 0;
      rates[who][i] = scenario_amount(sc, count) /
                      (elapsed > 0 ? elapsed : 1e-9);
    }
  }
  result_summarize(r, rates[0], rates[1], opt->pairs);
  printf("%-18s done: %.3fx (%ld iterations per run)\n", scenario_name(sc),
         r->ratio_median, count);
  fflush(stdout);
  return 1;
}

static void usage(FILE *out) {
  fprintf(
      out,
      "usage: sectrans-bench [--quick] [--pairs N] [--seconds S] "
      "[--scenario NAME]... [--wall] [--json PATH] [--instructions]\n"
      "  --quick        3 pairs of 0.05 s runs (a smoke check)\n"
      "  --pairs N      interleaved sectrans/raw pairs, 1 to 1000 (default 15)\n"
      "  --seconds S    length of one raw run (default 0.3)\n"
      "  --scenario S   only S (handshake-full, handshake-resumed, bulk-16k, "
      "rtt-64); repeatable\n"
      "  --wall         time runs by the wall clock, not the thread's CPU time\n"
      "  --json PATH    write the results in the design's JSON shape\n"
      "  --instructions under valgrind --tool=callgrind --collect-atstart=no:\n"
      "                 one callgrind dump per subject and scenario, no timing\n");
}

static int parse_scenario(const char *name, struct options *opt) {
  for (int sc = 0; sc < SCENARIO_COUNT; sc++) {
    if (strcmp(name, scenario_name(sc)) == 0) {
      opt->wanted[sc] = 1;
      return 1;
    }
  }
  return bench_fail("sectrans-bench", "unknown scenario %s", name);
}

static int parse_options(int argc, char **argv, struct options *opt) {
  int any_scenario = 0;
  *opt = (struct options){.pairs = 15, .seconds = 0.3};
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(arg, "--quick") == 0) {
      opt->pairs = 3;
      opt->seconds = 0.05;
    } else if (strcmp(arg, "--pairs") == 0 && value &&
               (opt->pairs = atoi(value)) > 0 && opt->pairs <= MAX_PAIRS) {
      i++;
    } else if (strcmp(arg, "--seconds") == 0 && value &&
               (opt->seconds = atof(value)) > 0) {
      i++;
    } else if (strcmp(arg, "--instructions") == 0) {
      opt->instructions = 1;
    } else if (strcmp(arg, "--wall") == 0) {
      run_clock = CLOCK_MONOTONIC;
    } else if (strcmp(arg, "--json") == 0 && value) {
      opt->json_path = argv[++i];
    } else if (strcmp(arg, "--scenario") == 0 && value) {
      if (!parse_scenario(argv[++i], opt))
        return 0;
      any_scenario = 1;
    } else if (strcmp(arg, "--help") == 0) {
      usage(stdout);
      exit(0);
    } else {
      usage(stderr);
      return 0;
    }
  }
  for (int sc = 0; !any_scenario && sc < SCENARIO_COUNT; sc++)
    opt->wanted[sc] = 1;
  return 1;
}

static void warn_if_unpinned(void) {
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0 && CPU_COUNT(&cpus) > 1)
    fprintf(stderr,
            "note: not pinned to one CPU (bench/c/run.sh uses taskset -c 0)\n");
}

static int count_loaded(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  const char *name = strrchr(info->dlpi_name, '/');
  name = name ? name + 1 : info->dlpi_name;
  if (strcmp(name, "libssl.so.0") == 0 || strcmp(name, "libcrypto.so.0") == 0)
    ++*(int *)data;
  return 0;
}

/* libsectrans dlopens the libssl.so.0 and libcrypto.so.0 this program
 * links: both subjects must run the very same BoringSSL. */
static int check_one_boringssl(void) {
  int loaded = 0;
  dl_iterate_phdr(count_loaded, &loaded);
  return loaded == 2 ? 1
                     : bench_fail("sectrans-bench",
                                  "%d copies of libssl.so.0 and "
                                  "libcrypto.so.0 are loaded, not one of each",
                                  loaded);
}

/* Which libsectrans runs: LD_LIBRARY_PATH can point the benchmark at
 * another build of it (the RUNPATH yields to it). */
static void print_library(void) {
  union {
    uint32_t (*function)(void);
    void *address;
  } symbol = {sectrans_version};
  Dl_info info;
  uint32_t v = sectrans_version();
  printf("sectrans: %s, version %u.%u.%u\n",
         dladdr(symbol.address, &info) && info.dli_fname ? info.dli_fname : "?",
         v / 10000, v / 100 % 100, v % 100);
}

/* Creates both subjects and checks that they do the same work. */
static int start(struct contender pair[2], const struct pki *pki) {
  pair[0].ops = &sectrans_subject;
  pair[1].ops = &raw_subject;
  for (int k = 0; k < 2; k++) {
    if ((pair[k].self = pair[k].ops->create(pki)) == NULL ||
        !scenario_check(pair[k].ops, pair[k].self))
      return 0;
  }
  if (!check_one_boringssl())
    return 0;
  print_library();
  printf(
      "checks passed: one BoringSSL; both verify (a wrong host name fails), "
      "negotiate TLS 1.3 TLS_AES_128_GCM_SHA256 X25519, move bytes intact, resume\n");
  return 1;
}

/* The timed benchmark: every wanted scenario, then the table and JSON. */
static int run_timed(const struct contender pair[2],
                     const struct options *opt) {
  struct result results[SCENARIO_COUNT];
  int count = 0;
  for (int sc = 0; sc < SCENARIO_COUNT; sc++)
    if (opt->wanted[sc] && !measure(pair, sc, opt, &results[count++]))
      return 0;
  report_table(pair[1].ops->name, results, count);
  return opt->json_path == NULL ||
         report_json(
             opt->json_path, pair[1].ops->name, results, count, opt->seconds,
             run_clock == CLOCK_MONOTONIC ? "wall clock" : "thread CPU time");
}

int main(int argc, char **argv) {
  struct options opt;
  struct pki pki;
  struct contender pair[2] = {{0}};
  if (!parse_options(argc, argv, &opt))
    return 2;
  warn_if_unpinned();
  if (!pki_create(&pki))
    return 1;
  int ok = start(pair, &pki) &&
           (opt.instructions ? count_instructions(pair, opt.wanted)
                             : run_timed(pair, &opt));
  for (int k = 0; k < 2; k++)
    if (pair[k].self != NULL)
      pair[k].ops->destroy(pair[k].self);
  pki_free(&pki);
  return ok ? 0 : 1;
}
