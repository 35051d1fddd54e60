/*
 * main.c: the sectrans command, dispatching to one file per subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
};

static const struct command commands[] = {
    {"client", client_command,
     "connect to a TLS server, show the session, relay stdin and stdout"},
    {"server", server_command,
     "serve TLS connections: show each session, relay, echo, www or a file"},
    {"demo", demo_main,
     "handshake with itself over loopback and print what was negotiated"},
};

static void usage(FILE *out) {
  fprintf(out, "usage: sectrans <command> [options]\n"
               "       sectrans --help\n"
               "       sectrans --version   print the library's version\n"
               "\ncommands:\n");
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf(out,
          "\n`sectrans <command> --help` describes a command's options.\n");
}

/* The library's version, which may be newer than the header's. */
static void print_version(void) {
  uint32_t v = sectrans_version();
  printf("sectrans %u.%u.%u\n", (unsigned)(v / 10000),
         (unsigned)(v / 100 % 100), (unsigned)(v % 100));
}

static const struct command *find_command(const char *name) {
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    if (strcmp(commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    print_version();
    return 0;
  }
  const struct command *command = find_command(argv[1]);
  if (command == NULL) {
    fprintf(stderr, "sectrans: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
  }
  /* A library older than this header would lack functions we call. */
  sectrans_status status = SECTRANS_CHECK_VERSION();
  if (status != SECTRANS_SUCCESS)
    return exit_status(
        report_status(command->name, "library version check", status, NULL));
  return command->run(argc - 1, argv + 1);
}
