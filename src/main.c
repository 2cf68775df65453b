/* main.c - quiver's entry point: the process-wide settings every command
 * shares (SIGPIPE and SIGXFSZ ignored, the descriptor limit raised), then
 * a subcommand.  Commands change process-wide state only for their own
 * signals: cli/stop.c's SIGINT/SIGTERM handlers and their flag (get, flags,
 * flags2/3, demo), and serve's signalfd (cli/serve/cmd_serve.c). */
#include <signal.h>
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

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"flags", cmd_flags, "download flags like the book's flags.py / _threadpool / _asyncio"},
	{"flags2", cmd_flags2, "the book's flags2 CLI: report, progress, errors"},
	{"flags3", cmd_flags3, "flags2 plus per-country metadata (saves Country_Name.gif)"},
	{"get", cmd_get, "download any list of http/https URLs in parallel"},
	{"serve", cmd_serve, "run the embedded flag server (HTTP, or HTTPS with --tls)"},
	{"demo", cmd_demo, "start a local flag server and compare the three engines"},
};

static void usage(FILE *f)
{
	size_t i;

	(void)fprintf(f, "usage: quiver COMMAND [options] [args]\n\ncommands:\n");
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		(void)fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	(void)fprintf(f, "\n  quiver --help | --version ; quiver COMMAND --help\n");
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
	size_t i;

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
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	}
	(void)fprintf(stderr, "quiver: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
