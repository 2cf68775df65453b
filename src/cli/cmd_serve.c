/* cmd_serve.c - `quiver serve`: not implemented yet (see the issue tracker). */
#include "cli/commands.h"

#include <stdio.h>

int cmd_serve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	(void)fprintf(stderr, "quiver: 'serve' is not implemented yet\n");
	return 2;
}
