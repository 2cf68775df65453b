/* cmd_get.c - `quiver get`: not implemented yet (see the issue tracker). */
#include "cli/commands.h"

#include <stdio.h>

int cmd_get(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	(void)fprintf(stderr, "quiver: 'get' is not implemented yet\n");
	return 2;
}
