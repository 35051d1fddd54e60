/*
 * check.h: the few assertions the C test programs share.
 *
 * A failed check prints where and why and is counted; the program goes on,
 * so one run shows every broken rule, and exits 1 at the end. Header-only
 * (static functions) so each test stays a single translation unit.
 */
#ifndef SECTRANS_TEST_CHECK_H
#define SECTRANS_TEST_CHECK_H

#include <stdio.h>

#include <sectrans/sectrans.h>

static int check_failures;

static int check_true(int ok, const char *file, int line, const char *what) {
  if (!ok) {
    fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what);
    check_failures++;
  }
  return ok;
}

static int check_status(sectrans_status got, sectrans_status want,
                        const char *file, int line, const char *what) {
  if (got != want) {
    fprintf(stderr, "%s:%d: FAILED: %s: got %s (%d), want %s (%d)\n", file,
            line, what, sectrans_status_string(got), (int)got,
            sectrans_status_string(want), (int)want);
    check_failures++;
  }
  return got == want;
}

#define CHECK(cond) check_true((cond), __FILE__, __LINE__, #cond)
#define CHECK_STATUS(call, want)                                               \
  check_status((call), (want), __FILE__, __LINE__, #call)

/* Ends main: 0 when every check held. */
static int check_exit_status(const char *program) {
  if (check_failures != 0) {
    fprintf(stderr, "%s: %d check(s) failed\n", program, check_failures);
    return 1;
  }
  printf("%s: all checks passed\n", program);
  return 0;
}

#endif
