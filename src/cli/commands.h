/* commands.h - entry points of the quiver subcommands, called by main().
 * Each takes the arguments after the command name (argv[0] is the command
 * name itself) and returns the process exit status (DESIGN §1: 0 ok,
 * 1 some failed, 2 usage error, 130 interrupted). */
#ifndef QV_CLI_COMMANDS_H
#define QV_CLI_COMMANDS_H

/* Longest serve --delay/--jitter (demo hands its --delay to serve, so both
 * check it against this): beyond an hour it is a typo, not a test. */
#define CLI_SERVE_DELAY_MAX_MS 3600000u

/* One command of main()'s table.  build.zig generates the table from its
 * own list of commands and -Dcommands (a lean build leaves some out). */
struct qv_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/* The commands of this build, ended by a NULL name. */
extern const struct qv_command qv_commands[];
/* The commands not in this build, space-separated ("" when none). */
extern const char qv_commands_left_out[];

int cmd_flags(int argc, char **argv);
int cmd_flags2(int argc, char **argv);
int cmd_flags3(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_wget(int argc, char **argv);

#endif
