/* sink_file.h - the sink that writes DIR/NAME.part and renames it to
 * DIR/NAME on commit (DESIGN §5).
 *
 * Nothing partial ever appears under the final name: the body goes to the
 * .part file, which commit() (optionally fsync'ed) renames over the final
 * name in one atomic step, so an existing file is replaced only by a complete
 * new download.  abort() removes the .part, or keeps it for a later resume
 * (-c/--continue).  The first piece of a body goes straight to the file;
 * later small pieces gather in a fixed 64 KiB buffer to cut syscalls, and
 * one that would overflow it goes out with the buffered bytes in one
 * writev(), straight from the caller's memory.  So a body that arrives in
 * one read never touches the buffer (a reused sink stays small) and a
 * large read is never copied.  A new .part costs one openat().  No
 * allocation: the struct holds the paths and the buffer (about 72 KiB).
 *
 * With resuming on, the validator of the response that started the .part
 * (begin's meta) is kept beside it in DIR/NAME.part.meta, one line
 * "If-Range: VALUE", and read back by the next sink_file_open.  A sidecar,
 * not an extended attribute: xattrs are lost by cp, tar and rsync without
 * -X and refused by tmpfs (before Linux 6.6), NFSv3 and FAT, and a resume
 * without its validator would start over.  It is written after the .part is
 * cut to zero and before a body byte reaches it, so a crash at any point
 * leaves either a .part of the version it names or an empty one; the
 * rename to NAME never touches it, and it is removed after the rename (a
 * crash in between leaves a stray .meta that names no .part and is
 * replaced by the next run).  Names over SINK_FILE_NAME_MAX - 5 bytes get
 * no sidecar (NAME.part.meta would pass NAME_MAX): their resumes restart. */
#ifndef QV_TRANSFER_SINK_FILE_H
#define QV_TRANSFER_SINK_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transfer/sink.h"
#include "util/err.h"

/* Write buffer: 64 KiB, large enough that a fast transfer makes few write()
 * calls, small enough for a thousand concurrent transfers. */
#define SINK_FILE_BUF (64u * 1024u)
/* Path bytes including the NUL: Linux PATH_MAX. */
#define SINK_FILE_PATH_MAX 4096u
/* Longest final name: NAME_MAX (255) minus the ".part" suffix, so the .part
 * file name is still valid on every Linux file system. */
#define SINK_FILE_NAME_MAX (255u - 5u)

struct sink_file {
	struct sink base;           /* first member: sink_file_sink() returns it */
	/* private state */
	size_t part_off;            /* where the .part path starts in paths[] */
	int fd;                     /* the .part, -1 when not open */
	bool keep_part;             /* abort() keeps the .part for resuming */
	bool use_fsync;
	bool touched;               /* we opened the .part: abort may remove it */
	bool ended;                 /* commit succeeded or abort ran */
	bool wrote;                 /* a write() went out since begin() */
	bool adopt;                 /* resume_from is the final file's size */
	bool resume;                /* -c: the validator sidecar is kept */
	bool set_mtime;             /* commit dates the file by Last-Modified */
	bool has_mtime;
	int64_t mtime;              /* begin's meta: Last-Modified */
	size_t buf_len;
	char validator[SINK_VALIDATOR_MAX]; /* read from the sidecar at open */
	/* "dir/name" and, right after its NUL, "dir/name.part", after the small
	 * fields: a short path keeps all of them in one page of memory, which
	 * counts with 1,000 transfers open at once (pages never written are
	 * never resident). */
	char paths[2 * SINK_FILE_PATH_MAX];
	uint8_t buf[SINK_FILE_BUF];
};

/* Prepare to write dir/name (dir NULL or "" means the current directory).
 * Opens nothing yet: the .part is created by the first begin().  name must be
 * one path component: "", ".", "..", or a name containing '/' or NUL is
 * refused with QV_E_NAME, as is one longer than SINK_FILE_NAME_MAX.  With
 * keep_part_for_resume, an existing regular dir/name.part sets
 * base.resume_from to its size and base.resume_validator to what its
 * sidecar holds ("" when none), and abort() keeps the .part.
 * On error s is left safe to pass to abort().  err may be NULL. */
enum qv_err sink_file_open(struct sink_file *s, const char *dir, const char *name,
			   bool keep_part_for_resume, bool use_fsync, struct qv_error *err);

/* wget -c: with no .part to resume, continue a regular file dir/name
 * itself (what GNU wget's -c resumes: a partial file another tool left
 * under the final name).  resume_from becomes its size; a begin() at a
 * non-zero offset first renames it to the .part, which then grows and is
 * renamed back on commit, or kept on failure like any resumed .part: a
 * partial file stays out of the final name from then on.  A begin() at 0
 * (the server cannot resume) leaves it for the commit to replace.  Call
 * right after a successful sink_file_open with keep_part_for_resume. */
void sink_file_adopt_final(struct sink_file *s);

/* After sink_file_open: with set_mtime, commit gives the file the server's
 * Last-Modified as its mtime (wget's default; begin's meta); with
 * if_modified, an existing regular DIR/NAME sets base.has_ims and ims to
 * its mtime (-N: If-Modified-Since, a 304 leaves it). */
void sink_file_times(struct sink_file *s, bool set_mtime, bool if_modified);

/* The sink interface of s, for xfer_init. */
struct sink *sink_file_sink(struct sink_file *s);

/* Paths, for messages and --json ("dir/name", "dir/name.part"). */
const char *sink_file_path(const struct sink_file *s);
const char *sink_file_part_path(const struct sink_file *s);

#endif
