/* cmd_flags2.c - `quiver flags2`: not implemented yet (see the issue tracker). */
#include "cli/commands.h"

#include <stdio.h>

int cmd_flags2(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	(void)fprintf(stderr, "quiver: 'flags2' is not implemented yet\n");
	return 2;
}
