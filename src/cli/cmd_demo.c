/* cmd_demo.c - `quiver demo`: not implemented yet (see the issue tracker). */
#include "cli/commands.h"

#include <stdio.h>

int cmd_demo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	(void)fprintf(stderr, "quiver: 'demo' is not implemented yet\n");
	return 2;
}
