/* commands.h - entry points of the quiver subcommands, called by main().
 * Each takes the arguments after the command name (argv[0] is the command
 * name itself) and returns the process exit status (DESIGN §1: 0 ok,
 * 1 some failed, 2 usage error, 130 interrupted). */
#ifndef QV_CLI_COMMANDS_H
#define QV_CLI_COMMANDS_H

int cmd_flags(int argc, char **argv);
int cmd_flags2(int argc, char **argv);
int cmd_flags3(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);

#endif
