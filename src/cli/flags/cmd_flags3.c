/* cmd_flags3.c - `quiver flags3`: the book's flags3_asyncio.py, flags2 plus
 * {site}/{cc}/metadata.json per code, saving Country_Name.gif. */
#include "cli/commands.h"

#include "cli/flags/flags2_run.h"

int cmd_flags3(int argc, char **argv)
{
	return flags2_command(true, argc, argv);
}
