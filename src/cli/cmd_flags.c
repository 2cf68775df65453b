/* cmd_flags.c - `quiver flags`: not implemented yet (see the issue tracker). */
#include "cli/commands.h"

#include <stdio.h>

int cmd_flags(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	(void)fprintf(stderr, "quiver: 'flags' is not implemented yet\n");
	return 2;
}
