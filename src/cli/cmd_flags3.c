/* cmd_flags3.c - `quiver flags3`: not implemented yet (see the issue tracker). */
#include "cli/commands.h"

#include <stdio.h>

int cmd_flags3(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	(void)fprintf(stderr, "quiver: 'flags3' is not implemented yet\n");
	return 2;
}
