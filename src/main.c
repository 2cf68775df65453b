/* main.c - quiver's entry point: the process-wide settings every command
 * shares (SIGPIPE and SIGXFSZ ignored, the descriptor limit raised), then
 * a subcommand: the one named by argv[1], or, for a program run through a
 * link named like one of LINK_NAMES (`wget`), that one, BusyBox-style
 * (`quiver --install-links DIR` makes the links).  Commands change process-wide state only for their own
 * signals: cli/stop.c's SIGINT/SIGTERM handlers and their flag (get, flags,
 * flags2/3, demo), and serve's signalfd (cli/serve/cmd_serve.c). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/commands.h"
#include "version.h"

#ifndef QV_TARGET
#define QV_TARGET "unknown-target"
#endif
#ifndef QV_BEARSSL_VERSION
#define QV_BEARSSL_VERSION "unknown"
#endif

/* The commands a link may name (DESIGN §10: scripts call `wget`). */
static const char *const link_names[] = {"wget"};
#define LINK_COUNT (sizeof link_names / sizeof link_names[0])

static const struct qv_command *command_find(const char *name)
{
	const struct qv_command *c;

	for (c = qv_commands; c->name != NULL; c++)
		if (strcmp(name, c->name) == 0)
			return c;
	return NULL;
}

static void usage(FILE *f)
{
	const struct qv_command *c;

	(void)fprintf(f, "usage: quiver COMMAND [options] [args]\n\ncommands:\n");
	for (c = qv_commands; c->name != NULL; c++)
		(void)fprintf(f, "  %-8s %s\n", c->name, c->summary);
	(void)fprintf(f, "\n  quiver --help | --version ; quiver COMMAND --help\n"
			 "  quiver --install-links DIR   make DIR/wget\n");
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

/* DIR/NAME -> this program, for each link name this build has, as
 * `busybox --install -s` does; a link already there that points to it is
 * fine, anything else there is left alone and reported. */
static int install_links(const char *dir)
{
	char self[PATH_MAX], path[PATH_MAX], old[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	int status = 0;
	size_t i;

	if (n <= 0) {
		(void)fprintf(stderr, "quiver: /proc/self/exe: %s\n", strerror(errno));
		return 1;
	}
	self[n] = '\0';
	for (i = 0; i < LINK_COUNT; i++) {
		ssize_t k;
		int e;

		if (command_find(link_names[i]) == NULL)
			continue;
		if (snprintf(path, sizeof path, "%s/%s", dir, link_names[i]) >= (int)sizeof path) {
			(void)fprintf(stderr, "quiver: %s: path too long\n", dir);
			return 1;
		}
		if (symlink(self, path) == 0) {
			printf("%s -> %s\n", path, self);
			continue;
		}
		e = errno; /* readlink may change it */
		k = e == EEXIST ? readlink(path, old, sizeof old - 1) : -1;
		if (k > 0 && (size_t)k == (size_t)n && memcmp(old, self, (size_t)n) == 0)
			continue;
		(void)fprintf(stderr, "quiver: %s: %s\n", path,
			      e == EEXIST ? "exists (left as it is)" : strerror(e));
		status = 1;
	}
	return status;
}

/* The link name argv0 ends in, or NULL. */
static const char *link_name(const char *argv0)
{
	const char *base = strrchr(argv0, '/');
	size_t i;

	base = base != NULL ? base + 1 : argv0;
	for (i = 0; i < LINK_COUNT; i++)
		if (strcmp(base, link_names[i]) == 0)
			return link_names[i];
	return NULL;
}

static void version(void)
{
	printf("quiver %s (%s) BearSSL %s\n", QV_VERSION, QV_TARGET, QV_BEARSSL_VERSION);
}

int main(int argc, char **argv)
{
	const struct qv_command *c;
	const char *name;

	/* A peer closing a socket must give EPIPE, never kill the process. */
	(void)signal(SIGPIPE, SIG_IGN);
	/* A file over `ulimit -f` must give EFBIG (a clear error, the .part
	 * removed), never kill the process and leave the .part behind. */
	(void)signal(SIGXFSZ, SIG_IGN);
	raise_nofile_limit();
	if (argc > 0 && (name = link_name(argv[0])) != NULL) {
		c = command_find(name);
		if (c != NULL)
			return c->fn(argc, argv);
		(void)fprintf(stderr, "quiver: '%s' is left out of this build (-Dcommands)\n", name);
		return 2;
	}
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
	if (strcmp(argv[1], "--install-links") == 0) {
		if (argc != 3) {
			(void)fputs("usage: quiver --install-links DIR\n", stderr);
			return 2;
		}
		return install_links(argv[2]);
	}
	c = command_find(argv[1]);
	if (c != NULL)
		return c->fn(argc - 1, argv + 1);
	if (left_out(argv[1]))
		(void)fprintf(stderr,
			      "quiver: '%s' is left out of this build (-Dcommands); quiver --help lists what it has\n",
			      argv[1]);
	else
		(void)fprintf(stderr, "quiver: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
