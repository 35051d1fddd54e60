/*
 * report.c: medians and ratios, the readable table, and the JSON record
 * (bench/README.md, "The method (every suite)": one file per suite under
 * bench/results).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* Recorded with every figure, as bench/README.md's method asks. */
static const char group[] = "X25519";
static const char certificate[] =
    "ECDSA P-256 leaf signed by an ECDSA P-256 CA";
static const char notes[] =
    "TLS 1.3, TLS_AES_128_GCM_SHA256, X25519, client verifying; client and "
    "server in one process over memory; sectrans memory transport vs raw "
    "memory BIOs";

/* How the baseline shares the process with sectrans. */
static const char *sharing(const char *baseline) {
  return strcmp(baseline, "boringssl") == 0
             ? "the same libssl.so.0 instance"
             : "OpenSSL 3 linked, sectrans's BoringSSL loaded privately";
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(const double *values, int n) {
  double *sorted = malloc(sizeof(double) * (size_t)n);
  if (sorted == NULL)
    return 0;
  memcpy(sorted, values, sizeof(double) * (size_t)n);
  qsort(sorted, (size_t)n, sizeof(double), compare_doubles);
  double m = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  free(sorted);
  return m;
}

void result_summarize(struct result *r, const double *subject,
                      const double *baseline, int pairs) {
  double *ratios = malloc(sizeof(double) * (size_t)pairs);
  r->pairs = pairs;
  r->subject_median = median(subject, pairs);
  r->baseline_median = median(baseline, pairs);
  r->ratio_median = r->ratio_min = r->ratio_max = 0;
  if (ratios == NULL)
    return;
  for (int i = 0; i < pairs; i++)
    ratios[i] = subject[i] / baseline[i];
  r->ratio_median = median(ratios, pairs);
  r->ratio_min = r->ratio_max = ratios[0];
  for (int i = 1; i < pairs; i++) {
    if (ratios[i] < r->ratio_min)
      r->ratio_min = ratios[i];
    if (ratios[i] > r->ratio_max)
      r->ratio_max = ratios[i];
  }
  free(ratios);
}

/* "model, N CPUs, Linux release": enough to tell machines apart. */
static void describe_machine(char *out, size_t size) {
  char model[256] = "unknown CPU";
  char line[512];
  FILE *cpuinfo = fopen("/proc/cpuinfo", "r");
  while (cpuinfo != NULL && fgets(line, sizeof(line), cpuinfo) != NULL) {
    char *colon = strchr(line, ':');
    if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
      snprintf(model, sizeof(model), "%s", colon + 2);
      model[strcspn(model, "\n")] = '\0';
      break;
    }
  }
  if (cpuinfo != NULL)
    fclose(cpuinfo);
  struct utsname uts;
  if (uname(&uts) != 0)
    strcpy(uts.release, "?");
  snprintf(out, size, "%s, %ld CPUs, Linux %s", model,
           sysconf(_SC_NPROCESSORS_ONLN), uts.release);
}

void report_table(const char *baseline, const struct result *results,
                  int count) {
  char machine[512];
  describe_machine(machine, sizeof(machine));
  printf("\nsectrans vs raw %s (%s; %s)\n%s\n", baseline, group, certificate,
         machine);
  printf("%-18s %-14s %12s %12s %8s %17s %6s\n", "scenario", "unit", "sectrans",
         baseline, "ratio", "[min, max]", "pairs");
  for (int i = 0; i < count; i++) {
    const struct result *r = &results[i];
    printf("%-18s %-14s %12.1f %12.1f %7.3fx  [%.3f, %.3f] %6d\n",
           scenario_name(r->scenario), scenario_unit(r->scenario),
           r->subject_median, r->baseline_median, r->ratio_median, r->ratio_min,
           r->ratio_max, r->pairs);
  }
  printf("ratio = sectrans / %s per pair (higher is faster for sectrans)\n",
         baseline);
}

/* Strings written here hold no quote or backslash except the machine's
 * model name, which is cleaned. */
static void clean_for_json(char *text) {
  for (; *text; text++)
    if (*text == '"' || *text == '\\' || (unsigned char)*text < 0x20)
      *text = ' ';
}

int report_json(const char *path, const char *baseline,
                const struct result *results, int count, double seconds_per_run,
                const char *clock_name) {
  char machine[512], date[32];
  describe_machine(machine, sizeof(machine));
  clean_for_json(machine);
  time_t now = time(NULL);
  strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  FILE *out = fopen(path, "w");
  if (out == NULL)
    return bench_fail("report", "cannot write %s", path);
  fprintf(
      out,
      "{\"suite\": \"c\", \"date\": \"%s\", \"machine\": \"%s\", \"results\": [",
      date, machine);
  for (int i = 0; i < count; i++) {
    const struct result *r = &results[i];
    fprintf(
        out,
        "%s\n  {\"scenario\": \"%s\", \"subject\": \"sectrans\", "
        "\"baseline\": \"%s\", \"unit\": \"%s\", "
        "\"subject_median\": %.3f, \"baseline_median\": %.3f, "
        "\"ratio_median\": %.4f, \"ratio_min\": %.4f, \"ratio_max\": %.4f, "
        "\"pairs\": %d, \"group\": \"%s\", \"certificate\": \"%s\", "
        "\"notes\": \"%s, %s; %ld iterations per run, about %.2f s of %s\"}",
        i ? "," : "", scenario_name(r->scenario), baseline,
        scenario_unit(r->scenario), r->subject_median, r->baseline_median,
        r->ratio_median, r->ratio_min, r->ratio_max, r->pairs, group,
        certificate, notes, sharing(baseline), r->iterations, seconds_per_run,
        clock_name);
  }
  fprintf(out, "\n]}\n");
  return fclose(out) == 0 ? 1 : bench_fail("report", "cannot write %s", path);
}
