/* wget_args.h - the wget mode's command line: BusyBox wget's options with
 * GNU wget's meaning (DESIGN §10), translated into a `get` run
 * (struct get_args) plus the few things only wget does (-S, --spider's
 * lines, -o/-a, -O's directory, GNU's exit statuses). */
#ifndef QV_CLI_WGET_WGET_ARGS_H
#define QV_CLI_WGET_WGET_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/get/get_args.h"

/* wget's own timeouts (-T): GNU and BusyBox wait 900 s for a read. */
#define WGET_TIMEOUT_MS 900000u
/* --post-file is read into memory, as BusyBox does; beyond this it is a
 * job for a streaming upload, which quiver does not do. */
#define WGET_POST_FILE_MAX (64u << 20)
/* What the form body is sent as (wget's Content-Type for --post-*). */
#define WGET_FORM_TYPE "application/x-www-form-urlencoded"

struct wget_args {
	struct get_args g;          /* the run (URLs point into argv) */
	char *out_dir;              /* -O DIR/NAME's DIR, owned, or NULL */
	bool out_given;             /* -O FILE */
	bool spider;                /* --spider */
	bool server_response;       /* -S */
	bool no_verbose;            /* -nv */
	const char *log;            /* -o/-a FILE, NULL: stderr */
	bool log_append;            /* -a */
	uint8_t *post;              /* --post-file's bytes, owned */
};

/* Parse argv (argv[0] is "wget") into w.  Returns -1 to go on, or the
 * exit status after --help/--version (0, on out) or an error (on err: 2 for
 * a bad option as GNU wget, 1 with no URL, 3 for an unreadable
 * --post-file).  Free w with wget_args_free whatever it returned. */
int wget_args_parse(struct wget_args *w, int argc, char **argv, FILE *out, FILE *err);
void wget_args_free(struct wget_args *w);

#endif
