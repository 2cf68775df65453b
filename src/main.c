/* main.c - quiver's entry point: the process-wide settings every command
 * shares (SIGPIPE and SIGXFSZ ignored, the descriptor limit raised), then
 * a subcommand.  Commands change process-wide state only for their own
 * signals: cli/stop.c's SIGINT/SIGTERM handlers and their flag (get, flags,
 * flags2/3, demo), and serve's signalfd (cli/serve/cmd_serve.c). */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/commands.h"
#include "version.h"

#ifndef QV_TARGET
#define QV_TARGET "unknown-target"
#endif
#ifndef QV_BEARSSL_VERSION
#define QV_BEARSSL_VERSION "unknown"
#endif

static void usage(FILE *f)
{
	const struct qv_command *c;

	(void)fprintf(f, "usage: quiver COMMAND [options] [args]\n\ncommands:\n");
	for (c = qv_commands; c->name != NULL; c++)
		(void)fprintf(f, "  %-8s %s\n", c->name, c->summary);
	(void)fprintf(f, "\n  quiver --help | --version ; quiver COMMAND --help\n");
}

/* Whether name is one of the commands this build left out. */
static bool left_out(const char *name)
{
	const char *p = qv_commands_left_out;
	size_t n = strlen(name);

	while (*p != '\0') {
		size_t len = strcspn(p, " ");

		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p += len;
		p += strspn(p, " ");
	}
	return false;
}

/* Each transfer needs a socket and a file: lift the soft descriptor limit
 * to the hard one (DESIGN §8, aria2 #678).  Failure only lowers the cap. */
static void raise_nofile_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}

static void version(void)
{
	printf("quiver %s (%s) BearSSL %s\n", QV_VERSION, QV_TARGET, QV_BEARSSL_VERSION);
}

int main(int argc, char **argv)
{
	const struct qv_command *c;

	/* A peer closing a socket must give EPIPE, never kill the process. */
	(void)signal(SIGPIPE, SIG_IGN);
	/* A file over `ulimit -f` must give EFBIG (a clear error, the .part
	 * removed), never kill the process and leave the .part behind. */
	(void)signal(SIGXFSZ, SIG_IGN);
	raise_nofile_limit();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		version();
		return 0;
	}
	for (c = qv_commands; c->name != NULL; c++) {
		if (strcmp(argv[1], c->name) == 0)
			return c->fn(argc - 1, argv + 1);
	}
	if (left_out(argv[1]))
		(void)fprintf(stderr,
			      "quiver: '%s' is left out of this build (-Dcommands); quiver --help lists what it has\n",
			      argv[1]);
	else
		(void)fprintf(stderr, "quiver: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
