/*
 * instructions.c: instruction counts under callgrind, stable where timing
 * on a shared machine is not.
 *
 * Collection is off at start (run.sh passes --collect-atstart=no); it is
 * switched on only around the iterations, and each subject and scenario
 * ends in its own dump, described as "<subject> <scenario> <iterations>".
 */
#include <stdio.h>

#include <valgrind/callgrind.h>

#include "bench.h"

/* Iterations per dump: enough to average out one-off costs, few enough for
 * valgrind (61 writes of 16 KiB are one MB). */
static const long iterations[SCENARIO_COUNT] = {
    [SCENARIO_HANDSHAKE_FULL] = 20,
    [SCENARIO_HANDSHAKE_RESUMED] = 50,
    [SCENARIO_BULK_16K] = 61,
    [SCENARIO_RTT_64] = 1000,
};

static int count_one(const struct contender *c, enum scenario sc) {
  char description[128];
  if (!scenario_prepare(c->ops, c->self, sc))
    return 0;
  CALLGRIND_TOGGLE_COLLECT;
  int ok = scenario_run(c->ops, c->self, sc, iterations[sc]);
  CALLGRIND_TOGGLE_COLLECT;
  scenario_finish(c->ops, c->self);
  snprintf(description, sizeof(description), "%s %s %ld", c->ops->name,
           scenario_name(sc), iterations[sc]);
  CALLGRIND_DUMP_STATS_AT(description);
  return ok;
}

int count_instructions(const struct contender pair[2],
                       const int wanted[SCENARIO_COUNT]) {
  if (!RUNNING_ON_VALGRIND)
    return bench_fail("sectrans-bench",
                      "--instructions runs under valgrind "
                      "--tool=callgrind --collect-atstart=no (bench/c/run.sh "
                      "--instructions)");
  for (int sc = 0; sc < SCENARIO_COUNT; sc++)
    for (int k = 0; wanted[sc] && k < 2; k++)
      if (!count_one(&pair[k], sc))
        return 0;
  return 1;
}
