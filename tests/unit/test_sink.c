/* test_sink.c - the file sink (.part + rename) and the memory sink, in a
 * fresh mkdtemp directory per case; plus the transfer machine writing into a
 * file sink, to show a failed download leaves no file behind. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tq.h"
#include "transfer/sink_digest.h"
#include "transfer/sink_file.h"
#include "transfer/sink_mem.h"
#include "transfer/sink_stream.h"
#include "transfer/transfer.h"

void suite_sink(struct tq *t);

#define S_PATH_MAX 512

struct s_dir {
	char path[64];
};

static int s_dir_make(struct s_dir *d)
{
	(void)snprintf(d->path, sizeof d->path, "/tmp/qv_sink_XXXXXX");
	return mkdtemp(d->path) != NULL;
}

static void s_path(char *out, const struct s_dir *d, const char *name)
{
	(void)snprintf(out, S_PATH_MAX, "%s/%s", d->path, name);
}

static int s_exists(const struct s_dir *d, const char *name)
{
	char p[S_PATH_MAX];
	struct stat st;

	s_path(p, d, name);
	return lstat(p, &st) == 0;
}

static void s_put(const struct s_dir *d, const char *name, const char *text)
{
	char p[S_PATH_MAX];
	FILE *f;

	s_path(p, d, name);
	f = fopen(p, "wb");
	if (f == NULL)
		return;
	(void)fputs(text, f);
	(void)fclose(f);
}

/* Read name into buf (cap bytes); returns the length or -1. */
static long s_get(const struct s_dir *d, const char *name, char *buf, size_t cap)
{
	char p[S_PATH_MAX];
	FILE *f;
	size_t n;

	s_path(p, d, name);
	f = fopen(p, "rb");
	if (f == NULL)
		return -1;
	n = fread(buf, 1, cap, f);
	(void)fclose(f);
	return (long)n;
}

/* Check that d's file name holds exactly text; a failure is reported at the
 * caller's line, naming the file. */
#define S_HOLDS(t, d, name, text) s_holds((t), (d), (name), (text), __FILE__, __LINE__)

static int s_holds(struct tq *t, const struct s_dir *d, const char *name, const char *text,
		   const char *file, int line)
{
	char buf[64];
	long n = s_get(d, name, buf, sizeof buf);

	return tq_check_mem(t, buf, n > 0 ? (size_t)n : 0, text, strlen(text), name, file, line);
}

static void s_dir_remove(const struct s_dir *d)
{
	static const char *const names[] = {"f",	      "f.part",		   "g",
					    "g.part",	      "target",		   "x",
					    "x.part",	      "new.bin",	   "new.bin.part",
					    "h",	      "h.part",		   "e",
					    "e.part",	      "f.part.meta",	   "new.bin.part.meta"};
	char p[S_PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		s_path(p, d, names[i]);
		(void)unlink(p);
	}
	(void)rmdir(d->path);
}

static int s_write(struct sink *s, const char *text, struct qv_error *e)
{
	return s->ops->write(s, (const uint8_t *)text, strlen(text), e);
}

static void s_success_renames(struct tq *t)
{
	struct s_dir d;
	struct sink_file sf;
	struct sink *s = sink_file_sink(&sf);
	struct qv_error e;

	if (!TQ_TRUE(t, s_dir_make(&d)))
		return;
	TQ_INT(t, sink_file_open(&sf, d.path, "f", false, false, &e), QV_OK);
	TQ_INT(t, s->resume_from, 0);
	TQ_TRUE(t, !s_exists(&d, "f.part")); /* nothing before begin() */
	TQ_INT(t, s->ops->begin(s, 0, NULL, &e), QV_OK);
	TQ_TRUE(t, s_exists(&d, "f.part"));
	TQ_INT(t, s_write(s, "hello ", &e), QV_OK);
	TQ_INT(t, s_write(s, "world", &e), QV_OK);
	TQ_TRUE(t, !s_exists(&d, "f"));
	TQ_INT(t, s->ops->commit(s, &e), QV_OK);
	TQ_TRUE(t, !s_exists(&d, "f.part"));
	S_HOLDS(t, &d, "f", "hello world");
	s->ops->abort(s); /* after commit: a no-op */
	TQ_TRUE(t, s_exists(&d, "f"));
	s_dir_remove(&d);
}

static void s_big_writes(struct tq *t)
{
	enum { TOTAL = 300 * 1024 };
	struct s_dir d;
	struct sink_file *sf = malloc(sizeof *sf);
	uint8_t *data = malloc(TOTAL), *back = malloc(TOTAL + 1);
	struct qv_error e;
	size_t off = 0, step = 1;
	char p[S_PATH_MAX];
	FILE *f;
	size_t n = 0;

	if (!TQ_TRUE(t, sf != NULL && data != NULL && back != NULL && s_dir_make(&d)))
		goto out;
	for (size_t i = 0; i < TOTAL; i++)
		data[i] = (uint8_t)(i * 7 + (i >> 8));
	TQ_INT(t, sink_file_open(sf, d.path, "f", false, true, &e), QV_OK);
	TQ_INT(t, sink_file_sink(sf)->ops->begin(sink_file_sink(sf), 0, NULL, &e), QV_OK);
	/* sizes from 1 byte to well over the 64 KiB buffer */
	while (off < TOTAL) {
		size_t k = step < TOTAL - off ? step : TOTAL - off;

		TQ_INT(t, sink_file_sink(sf)->ops->write(sink_file_sink(sf), data + off, k, &e),
		       QV_OK);
		off += k;
		step = step * 3 + 1;
	}
	TQ_INT(t, sink_file_sink(sf)->ops->commit(sink_file_sink(sf), &e), QV_OK);
	s_path(p, &d, "f");
	f = fopen(p, "rb");
	if (f != NULL) {
		n = fread(back, 1, TOTAL + 1, f);
		(void)fclose(f);
	}
	TQ_MEM(t, back, n, data, TOTAL);
	s_dir_remove(&d);
out:
	free(sf);
	free(data);
	free(back);
}

static void s_failure_leaves_nothing(struct tq *t)
{
	struct s_dir d;
	struct sink_file sf;
	struct sink *s = sink_file_sink(&sf);
	struct qv_error e;

	if (!TQ_TRUE(t, s_dir_make(&d)))
		return;
	TQ_INT(t, sink_file_open(&sf, d.path, "f", false, false, &e), QV_OK);
	TQ_INT(t, s->ops->begin(s, 0, NULL, &e), QV_OK);
	TQ_INT(t, s_write(s, "partial", &e), QV_OK);
	s->ops->abort(s);
	TQ_TRUE(t, !s_exists(&d, "f"));
	TQ_TRUE(t, !s_exists(&d, "f.part"));
	s->ops->abort(s); /* twice is harmless */
	s_dir_remove(&d);
}

static void s_abort_unopened_keeps_foreign_part(struct tq *t)
{
	struct s_dir d;
	struct sink_file sf;
	struct qv_error e;

	if (!TQ_TRUE(t, s_dir_make(&d)))
		return;
	s_put(&d, "f.part", "someone else's");
	TQ_INT(t, sink_file_open(&sf, d.path, "f", false, false, &e), QV_OK);
	TQ_INT(t, sink_file_sink(&sf)->resume_from, 0); /* no resume without keep_part */
	sink_file_sink(&sf)->ops->abort(sink_file_sink(&sf));
	TQ_TRUE(t, s_exists(&d, "f.part"));
	s_dir_remove(&d);
}

static void s_keep_part(struct tq *t)
{
	struct s_dir d;
	struct sink_file sf;
	struct sink *s = sink_file_sink(&sf);
	struct qv_error e;

	if (!TQ_TRUE(t, s_dir_make(&d)))
		return;
	TQ_INT(t, sink_file_open(&sf, d.path, "f", true, false, &e), QV_OK);
	TQ_INT(t, s->resume_from, 0);
	TQ_INT(t, s->ops->begin(s, 0, NULL, &e), QV_OK);
	TQ_INT(t, s_write(s, "first half", &e), QV_OK);
	s->ops->abort(s);
	TQ_TRUE(t, !s_exists(&d, "f"));
	S_HOLDS(t, &d, "f.part", "first half"); /* the buffered bytes were flushed */
	s_dir_remove(&d);
}

static void s_resume(struct tq *t)
{
	struct s_dir d;
	struct sink_file sf;
	struct sink *s = sink_file_sink(&sf);
	struct qv_error e;

	if (!TQ_TRUE(t, s_dir_make(&d)))
		return;
	s_put(&d, "f.part", "hello");
	TQ_INT(t, sink_file_open(&sf, d.path, "f", true, false, &e), QV_OK);
	TQ_INT(t, s->resume_from, 5);
	TQ_INT(t, s->ops->begin(s, 5, NULL, &e), QV_OK);
	TQ_INT(t, s_write(s, " world", &e), QV_OK);
	TQ_INT(t, s->ops->commit(s, &e), QV_OK);
	S_HOLDS(t, &d, "f", "hello world");

	/* a .part longer than the offset is cut back (retry after some bytes) */
	s_put(&d, "g.part", "hello, stale tail");
	TQ_INT(t, sink_file_open(&sf, d.path, "g", true, false, &e), QV_OK);
	TQ_INT(t, s->ops->begin(s, 5, NULL, &e), QV_OK);
	TQ_INT(t, s_write(s, "!", &e), QV_OK);
	TQ_INT(t, s->ops->begin(s, 5, NULL, &e), QV_OK); /* again: the "!" is dropped */
	TQ_INT(t, s_write(s, "?", &e), QV_OK);
	TQ_INT(t, s->ops->commit(s, &e), QV_OK);
	S_HOLDS(t, &d, "g", "hello?");

	/* a .part shorter than the offset cannot be resumed */
	s_put(&d, "x.part", "abc");
	TQ_INT(t, sink_file_open(&sf, d.path, "x", true, false, &e), QV_OK);
	TQ_INT(t, s->ops->begin(s, 10, NULL, &e), QV_E_FILE);
	s->ops->abort(s);
	TQ_TRUE(t, s_exists(&d, "x.part")); /* kept for resume */
	s_dir_remove(&d);
}

/* wget -c: a partial file under the final name, and no .part. */
static void s_adopt_final(struct tq *t)
{
	struct s_dir d;
	struct sink_file sf;
	struct sink *s = sink_file_sink(&sf);
	struct qv_error e;

	if (!TQ_TRUE(t, s_dir_make(&d)))
		return;
	/* continued: moved to the .part at begin, back on commit */
	s_put(&d, "f", "hello");
	TQ_INT(t, sink_file_open(&sf, d.path, "f", true, false, &e), QV_OK);
	sink_file_adopt_final(&sf);
	TQ_INT(t, s->resume_from, 5);
	S_HOLDS(t, &d, "f", "hello"); /* nothing moves before the body */
	TQ_INT(t, s->ops->begin(s, 5, NULL, &e), QV_OK);
	TQ_TRUE(t, !s_exists(&d, "f"));
	TQ_INT(t, s_write(s, " world", &e), QV_OK);
	TQ_INT(t, s->ops->commit(s, &e), QV_OK);
	S_HOLDS(t, &d, "f", "hello world");
	TQ_TRUE(t, !s_exists(&d, "f.part"));

	/* a failure after the move keeps every byte in the .part, not in f */
	TQ_INT(t, sink_file_open(&sf, d.path, "f", true, false, &e), QV_OK);
	sink_file_adopt_final(&sf);
	TQ_INT(t, s->ops->begin(s, 11, NULL, &e), QV_OK);
	TQ_INT(t, s_write(s, "!", &e), QV_OK);
	s->ops->abort(s);
	TQ_TRUE(t, !s_exists(&d, "f"));
	S_HOLDS(t, &d, "f.part", "hello world!");

	/* a .part wins over the final file; a server that restarts (begin 0)
	 * leaves the old file until the commit replaces it */
	s_put(&d, "g", "old file");
	s_put(&d, "g.part", "par");
	TQ_INT(t, sink_file_open(&sf, d.path, "g", true, false, &e), QV_OK);
	sink_file_adopt_final(&sf);
	TQ_INT(t, s->resume_from, 3);
	TQ_INT(t, s->ops->begin(s, 0, NULL, &e), QV_OK);
	TQ_INT(t, s_write(s, "fresh", &e), QV_OK);
	S_HOLDS(t, &d, "g", "old file");
	TQ_INT(t, s->ops->commit(s, &e), QV_OK);
	S_HOLDS(t, &d, "g", "fresh");

	s_put(&d, "h", "old");
	TQ_INT(t, sink_file_open(&sf, d.path, "h", true, false, &e), QV_OK);
	sink_file_adopt_final(&sf);
	TQ_INT(t, s->ops->begin(s, 0, NULL, &e), QV_OK);
	TQ_INT(t, s_write(s, "new", &e), QV_OK);
	s->ops->abort(s);
	S_HOLDS(t, &d, "h", "old");

	/* only with keep_part (-c), and only a regular, non-empty file */
	TQ_INT(t, sink_file_open(&sf, d.path, "h", false, false, &e), QV_OK);
	sink_file_adopt_final(&sf);
	TQ_INT(t, s->resume_from, 0);
	s->ops->abort(s);
	s_put(&d, "e", "");
	TQ_INT(t, sink_file_open(&sf, d.path, "e", true, false, &e), QV_OK);
	sink_file_adopt_final(&sf);
	TQ_INT(t, s->resume_from, 0);
	s->ops->abort(s);
	s_dir_remove(&d);
}

static void s_restart_truncates(struct tq *t)
{
	struct s_dir d;
	struct sink_file sf;
	struct sink *s = sink_file_sink(&sf);
	struct qv_error e;

	if (!TQ_TRUE(t, s_dir_make(&d)))
		return;
	s_put(&d, "f.part", "old partial data");
	TQ_INT(t, sink_file_open(&sf, d.path, "f", true, false, &e), QV_OK);
	TQ_INT(t, s->resume_from, 16);
	TQ_INT(t, s->ops->begin(s, 0, NULL, &e), QV_OK); /* server answered 200 */
	TQ_INT(t, s_write(s, "new", &e), QV_OK);
	TQ_INT(t, s->ops->commit(s, &e), QV_OK);
	S_HOLDS(t, &d, "f", "new");
	s_dir_remove(&d);
}

static void s_replace_on_commit_only(struct tq *t)
{
	struct s_dir d;
	struct sink_file sf;
	struct sink *s = sink_file_sink(&sf);
	struct qv_error e;

	if (!TQ_TRUE(t, s_dir_make(&d)))
		return;
	s_put(&d, "f", "old");
	TQ_INT(t, sink_file_open(&sf, d.path, "f", false, false, &e), QV_OK);
	TQ_INT(t, s->ops->begin(s, 0, NULL, &e), QV_OK);
	TQ_INT(t, s_write(s, "brand new", &e), QV_OK);
	s->ops->abort(s);
	S_HOLDS(t, &d, "f", "old");

	TQ_INT(t, sink_file_open(&sf, d.path, "f", false, false, &e), QV_OK);
	TQ_INT(t, s->ops->begin(s, 0, NULL, &e), QV_OK);
	TQ_INT(t, s_write(s, "brand new", &e), QV_OK);
	S_HOLDS(t, &d, "f", "old");
	TQ_INT(t, s->ops->commit(s, &e), QV_OK);
	S_HOLDS(t, &d, "f", "brand new");
	s_dir_remove(&d);
}

static void s_bad_names(struct tq *t)
{
	static const char *const bad[] = {"", ".", "..", "a/b", "/etc/passwd", "x/"};
	struct sink_file sf;
	struct qv_error e;
	char longname[300];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		TQ_INT(t, sink_file_open(&sf, "/tmp", bad[i], false, false, &e), QV_E_NAME);
		sink_file_sink(&sf)->ops->abort(sink_file_sink(&sf)); /* safe after failure */
	}
	TQ_INT(t, sink_file_open(&sf, "/tmp", NULL, false, false, &e), QV_E_NAME);
	TQ_STR(t, e.msg, "empty file name");
	TQ_INT(t, sink_file_open(&sf, "/tmp", "..", false, false, &e), QV_E_NAME);
	TQ_STR(t, e.msg, "unsafe file name '..'");
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	TQ_INT(t, sink_file_open(&sf, "/tmp", longname, false, false, &e), QV_E_NAME);
	longname[SINK_FILE_NAME_MAX] = '\0'; /* the longest allowed */
	TQ_INT(t, sink_file_open(&sf, "/tmp", longname, false, false, &e), QV_OK);
	TQ_INT(t, sink_file_open(&sf, "..x", "..y", false, false, &e), QV_OK); /* just names */
	TQ_STR(t, sink_file_path(&sf), "..x/..y");
	TQ_INT(t, sink_file_open(&sf, "dir/", "n", false, false, &e), QV_OK);
	TQ_STR(t, sink_file_part_path(&sf), "dir/n.part");
	TQ_INT(t, sink_file_open(&sf, "", "n", false, false, &e), QV_OK);
	TQ_STR(t, sink_file_path(&sf), "n");
}

static void s_symlink_part_refused(struct tq *t)
{
	struct s_dir d;
	struct sink_file sf;
	struct sink *s = sink_file_sink(&sf);
	struct qv_error e;
	char target[S_PATH_MAX], link[S_PATH_MAX];

	if (!TQ_TRUE(t, s_dir_make(&d)))
		return;
	s_put(&d, "target", "precious");
	s_path(target, &d, "target");
	s_path(link, &d, "f.part");
	TQ_INT(t, symlink(target, link), 0);
	TQ_INT(t, sink_file_open(&sf, d.path, "f", false, false, &e), QV_OK);
	TQ_INT(t, s->ops->begin(s, 0, NULL, &e), QV_E_FILE);
	s->ops->abort(s);
	S_HOLDS(t, &d, "target", "precious");
	s_dir_remove(&d);
}

/* EFBIG through RLIMIT_FSIZE, in a child so the limit does not leak: the
 * write error path without needing a full disk.  The child's exit status
 * says which check failed (0: all held). */
static int s_efbig_child(const struct s_dir *d)
{
	uint8_t chunk[4096] = {0};
	struct sink_file *sf = malloc(sizeof *sf);
	struct rlimit rl = {64 * 1024, 64 * 1024};
	struct qv_error e;
	char want[S_PATH_MAX + 64];
	enum qv_err rc = QV_OK;
	int i;

	if (sf == NULL || signal(SIGXFSZ, SIG_IGN) == SIG_ERR || setrlimit(RLIMIT_FSIZE, &rl) != 0)
		return 10;
	if (sink_file_open(sf, d->path, "f", false, false, &e) != QV_OK)
		return 11;
	if (sink_file_sink(sf)->ops->begin(sink_file_sink(sf), 0, NULL, &e) != QV_OK)
		return 12;
	for (i = 0; i < 64 && rc == QV_OK; i++)
		rc = sink_file_sink(sf)->ops->write(sink_file_sink(sf), chunk, sizeof chunk, &e);
	if (rc == QV_OK)
		rc = sink_file_sink(sf)->ops->commit(sink_file_sink(sf), &e);
	if (rc != QV_E_NOSPACE || e.sys_errno != EFBIG)
		return 13;
	(void)snprintf(want, sizeof want,
		       "file too large (file size limit or file system maximum) writing %s/f.part",
		       d->path);
	if (strcmp(e.msg, want) != 0)
		return 14;
	sink_file_sink(sf)->ops->abort(sink_file_sink(sf));
	if (s_exists(d, "f.part") || s_exists(d, "f"))
		return 15;
	free(sf);
	return 0;
}

static void s_efbig_is_nospace(struct tq *t)
{
	struct s_dir d;
	pid_t pid;
	int status = -1;

	if (!TQ_TRUE(t, s_dir_make(&d)))
		return;
	(void)fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(s_efbig_child(&d));
	if (TQ_TRUE(t, pid > 0))
		(void)waitpid(pid, &status, 0);
	TQ_TRUE(t, WIFEXITED(status));
	TQ_INT(t, WEXITSTATUS(status), 0);
	s_dir_remove(&d);
}

static void s_mem_sink(struct tq *t)
{
	uint8_t buf[8];
	struct sink_mem m;
	struct sink *s;
	struct qv_error e;

	memcpy(buf, "abc", 3);
	sink_mem_init(&m, buf, sizeof buf, 3);
	s = sink_mem_sink(&m);
	TQ_INT(t, s->resume_from, 3);
	TQ_INT(t, s->ops->begin(s, 4, NULL, &e), QV_E_FILE);
	TQ_INT(t, s->ops->begin(s, 2, NULL, &e), QV_OK);
	TQ_INT(t, s_write(s, "XYZ", &e), QV_OK);
	TQ_INT(t, s_write(s, "1234", &e), QV_E_NOSPACE);
	TQ_MEM(t, m.buf, m.len, "abXYZ", 5);
	TQ_INT(t, s->ops->commit(s, &e), QV_OK);
	TQ_INT(t, s->ops->begin(s, 0, NULL, &e), QV_E_INTERNAL);
	TQ_INT(t, m.late_calls, 1);
}

/* ---- the machine with a file sink --------------------------------------- */

/* Run one exchange by hand: connect, send, feed resp whole, then EOF if
 * the machine still reads. */
static enum xfer_action s_run_xfer(struct xfer *x, const char *resp)
{
	enum xfer_action a;
	int fed = 0, steps;

	for (steps = 0; steps < 100; steps++) {
		const uint8_t *p;
		size_t n;

		a = xfer_next(x, 0);
		switch (a) {
		case XFER_CONNECT:
			xfer_connected(x, false);
			break;
		case XFER_WRITE:
			xfer_out(x, &p, &n);
			xfer_sent(x, n);
			break;
		case XFER_READ:
			if (fed)
				xfer_eof(x);
			else
				xfer_feed(x, (const uint8_t *)resp, strlen(resp));
			fed = 1;
			break;
		case XFER_RELEASE:
			xfer_released(x);
			break;
		default:
			return a;
		}
	}
	return XFER_FAILED;
}

struct s_xfer_fix {
	struct xfer x;
	struct sink_file sf;
};

static void s_machine_with_files(struct tq *t)
{
	struct s_xfer_fix *f = malloc(sizeof *f);
	struct xfer_opts o;
	struct s_dir d;

	if (!TQ_TRUE(t, f != NULL && s_dir_make(&d))) {
		free(f);
		return;
	}
	memset(&o, 0, sizeof o);
	o.follow = true;
	o.max_redirs = 5;
	o.fail_on_status = true;

	TQ_INT(t, sink_file_open(&f->sf, d.path, "new.bin", false, false, NULL), QV_OK);
	xfer_init(&f->x, &o, "http://h/new.bin", 16, sink_file_sink(&f->sf), 1);
	TQ_INT(t, s_run_xfer(&f->x, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndata"), XFER_DONE);
	S_HOLDS(t, &d, "new.bin", "data");
	TQ_TRUE(t, !s_exists(&d, "new.bin.part"));

	/* 404: neither the file nor its .part appears, the old file stays */
	TQ_INT(t, sink_file_open(&f->sf, d.path, "new.bin", false, false, NULL), QV_OK);
	xfer_init(&f->x, &o, "http://h/new.bin", 16, sink_file_sink(&f->sf), 1);
	TQ_INT(t, s_run_xfer(&f->x, "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno!"),
	       XFER_FAILED);
	S_HOLDS(t, &d, "new.bin", "data");
	TQ_TRUE(t, !s_exists(&d, "new.bin.part"));

	/* truncated: the .part is removed */
	(void)unlink(sink_file_path(&f->sf));
	TQ_INT(t, sink_file_open(&f->sf, d.path, "new.bin", false, false, NULL), QV_OK);
	xfer_init(&f->x, &o, "http://h/new.bin", 16, sink_file_sink(&f->sf), 1);
	TQ_INT(t, s_run_xfer(&f->x, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort"), XFER_FAILED);
	TQ_INT(t, xfer_error(&f->x)->code, QV_E_TRUNCATED);
	TQ_TRUE(t, !s_exists(&d, "new.bin"));
	TQ_TRUE(t, !s_exists(&d, "new.bin.part"));

	/* with keep_part the truncated body stays for a resume, its validator
	 * beside it */
	TQ_INT(t, sink_file_open(&f->sf, d.path, "new.bin", true, false, NULL), QV_OK);
	xfer_init(&f->x, &o, "http://h/new.bin", 16, sink_file_sink(&f->sf), 1);
	TQ_INT(t, s_run_xfer(&f->x, "HTTP/1.1 200 OK\r\nETag: \"n1\"\r\nContent-Length: 9\r\n\r\n"
				    "short"),
	       XFER_FAILED);
	TQ_TRUE(t, !s_exists(&d, "new.bin"));
	S_HOLDS(t, &d, "new.bin.part", "short");
	S_HOLDS(t, &d, "new.bin.part.meta", "If-Range: \"n1\"\n");

	/* ...and the resume completes it */
	TQ_INT(t, sink_file_open(&f->sf, d.path, "new.bin", true, false, NULL), QV_OK);
	TQ_INT(t, sink_file_sink(&f->sf)->resume_from, 5);
	xfer_init(&f->x, &o, "http://h/new.bin", 16, sink_file_sink(&f->sf), 1);
	TQ_INT(t, s_run_xfer(&f->x, "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5-8/9\r\n"
				    "Content-Length: 4\r\n\r\n bod"),
	       XFER_DONE);
	S_HOLDS(t, &d, "new.bin", "short bod");
	TQ_TRUE(t, !s_exists(&d, "new.bin.part") && !s_exists(&d, "new.bin.part.meta"));
	s_dir_remove(&d);
	free(f);
}

/* The first piece of a body goes to disk at once: a retry's begin(0) must
 * still discard it, and a stale .part (not resuming) must be cut. */
static void s_retry_discards_written(struct tq *t)
{
	struct s_dir d;
	struct sink_file sf;
	struct sink *s = sink_file_sink(&sf);
	struct qv_error e;

	if (!TQ_TRUE(t, s_dir_make(&d)))
		return;
	s_put(&d, "f.part", "a stale partial file from an older run");
	TQ_INT(t, sink_file_open(&sf, d.path, "f", false, false, &e), QV_OK);
	TQ_INT(t, s->resume_from, 0);
	TQ_INT(t, s->ops->begin(s, 0, NULL, &e), QV_OK);
	TQ_INT(t, s_write(s, "first attempt, cut short", &e), QV_OK);
	TQ_INT(t, s->ops->begin(s, 0, NULL, &e), QV_OK); /* the retry */
	TQ_INT(t, s_write(s, "second ", &e), QV_OK);
	TQ_INT(t, s_write(s, "attempt", &e), QV_OK);
	TQ_INT(t, s->ops->commit(s, &e), QV_OK);
	S_HOLDS(t, &d, "f", "second attempt");
	TQ_TRUE(t, !s_exists(&d, "f.part"));
	s_dir_remove(&d);
}

/* ---- validators, times, replay, discard --------------------------------- */

/* With resuming on, begin(0) records the validator beside the .part; the
 * next open reads it back with the .part's size; commit removes it. */
static void s_validator_sidecar(struct tq *t)
{
	struct sink_meta meta = {"\"abc\"", false, 0};
	struct s_dir d;
	struct sink_file sf;
	struct sink *s = sink_file_sink(&sf);
	struct qv_error e;

	if (!TQ_TRUE(t, s_dir_make(&d)))
		return;
	TQ_INT(t, sink_file_open(&sf, d.path, "f", true, false, &e), QV_OK);
	TQ_STR(t, s->resume_validator, "");
	TQ_INT(t, s->ops->begin(s, 0, &meta, &e), QV_OK);
	S_HOLDS(t, &d, "f.part.meta", "If-Range: \"abc\"\n");
	TQ_INT(t, s_write(s, "hello", &e), QV_OK);
	s->ops->abort(s);
	TQ_INT(t, sink_file_open(&sf, d.path, "f", true, false, &e), QV_OK);
	TQ_INT(t, s->resume_from, 5);
	TQ_STR(t, s->resume_validator, "\"abc\"");
	TQ_INT(t, s->ops->begin(s, 5, &meta, &e), QV_OK); /* resumed: kept as is */
	TQ_INT(t, s_write(s, " world", &e), QV_OK);
	TQ_INT(t, s->ops->commit(s, &e), QV_OK);
	S_HOLDS(t, &d, "f", "hello world");
	TQ_TRUE(t, !s_exists(&d, "f.part") && !s_exists(&d, "f.part.meta"));
	/* a cut or edited sidecar is no validator; a body without one removes it */
	s_put(&d, "f.part", "abc");
	s_put(&d, "f.part.meta", "If-Range: \"abc");
	TQ_INT(t, sink_file_open(&sf, d.path, "f", true, false, &e), QV_OK);
	TQ_STR(t, s->resume_validator, "");
	s_put(&d, "f.part.meta", "If-Range: \"a\tb\"\n");
	TQ_INT(t, sink_file_open(&sf, d.path, "f", true, false, &e), QV_OK);
	TQ_STR(t, s->resume_validator, "");
	meta.validator = "";
	TQ_INT(t, s->ops->begin(s, 0, &meta, &e), QV_OK);
	TQ_TRUE(t, !s_exists(&d, "f.part.meta"));
	s->ops->abort(s);
	/* without resuming there is never a sidecar */
	TQ_INT(t, sink_file_open(&sf, d.path, "g", false, false, &e), QV_OK);
	meta.validator = "\"x\"";
	TQ_INT(t, s->ops->begin(s, 0, &meta, &e), QV_OK);
	TQ_TRUE(t, !s_exists(&d, "g.part.meta"));
	s->ops->abort(s);
	s_dir_remove(&d);
}

/* Last-Modified becomes the mtime (before the rename); -N reads the
 * existing file's. */
static void s_times(struct tq *t)
{
	struct sink_meta meta = {"", true, 784111777};
	struct s_dir d;
	struct sink_file sf;
	struct sink *s = sink_file_sink(&sf);
	struct qv_error e;
	char p[S_PATH_MAX];
	struct stat st;

	if (!TQ_TRUE(t, s_dir_make(&d)))
		return;
	TQ_INT(t, sink_file_open(&sf, d.path, "f", false, false, &e), QV_OK);
	sink_file_times(&sf, true, true);
	TQ_TRUE(t, !s->has_ims); /* no file yet */
	TQ_INT(t, s->ops->begin(s, 0, &meta, &e), QV_OK);
	TQ_INT(t, s_write(s, "x", &e), QV_OK);
	TQ_INT(t, s->ops->commit(s, &e), QV_OK);
	s_path(p, &d, "f");
	TQ_TRUE(t, stat(p, &st) == 0 && st.st_mtime == 784111777);
	TQ_INT(t, sink_file_open(&sf, d.path, "f", false, false, &e), QV_OK);
	sink_file_times(&sf, false, true);
	TQ_TRUE(t, s->has_ims);
	TQ_INT(t, s->ims, 784111777);
	TQ_INT(t, s->ops->begin(s, 0, &meta, &e), QV_OK); /* set_mtime off */
	TQ_INT(t, s->ops->commit(s, &e), QV_OK);
	TQ_TRUE(t, stat(p, &st) == 0 && st.st_mtime != 784111777);
	s_dir_remove(&d);
}

static void s_collect(void *ctx, const uint8_t *p, size_t n)
{
	char *buf = ctx;
	size_t have = strlen(buf);

	memcpy(buf + have, p, n);
	buf[have + n] = '\0';
}

/* replay hands back a resumed .part's bytes; discard removes the .part and
 * its sidecar even with resuming on. */
static void s_replay_and_discard(struct tq *t)
{
	struct sink_meta meta = {"\"v\"", false, 0};
	struct s_dir d;
	struct sink_file sf;
	struct sink *s = sink_file_sink(&sf);
	struct qv_error e;
	char got[64] = "";

	if (!TQ_TRUE(t, s_dir_make(&d)))
		return;
	s_put(&d, "f.part", "hello");
	TQ_INT(t, sink_file_open(&sf, d.path, "f", true, false, &e), QV_OK);
	TQ_INT(t, s->ops->begin(s, 5, &meta, &e), QV_OK);
	TQ_INT(t, s->ops->replay(s, 5, s_collect, got, &e), QV_OK);
	TQ_STR(t, got, "hello");
	TQ_INT(t, s->ops->replay(s, 9, s_collect, got, &e), QV_E_FILE);
	TQ_INT(t, s_write(s, " world", &e), QV_OK);
	s->ops->discard(s);
	TQ_TRUE(t, !s_exists(&d, "f.part") && !s_exists(&d, "f.part.meta") && !s_exists(&d, "f"));
	s_dir_remove(&d);
}

/* ---- standard output ---------------------------------------------------- */

static void s_stream(struct tq *t)
{
	struct sink_stream ss;
	struct sink *s = sink_stream_sink(&ss);
	struct qv_error e;
	char buf[64];
	int fds[2];
	ssize_t n;

	if (!TQ_TRUE(t, pipe(fds) == 0))
		return;
	sink_stream_init(&ss, fds[1]);
	TQ_TRUE(t, s->no_rewind);
	TQ_INT(t, s->ops->begin(s, 0, NULL, &e), QV_OK);
	TQ_INT(t, s_write(s, "hello", &e), QV_OK);
	TQ_INT(t, s->ops->begin(s, 0, NULL, &e), QV_E_INTERNAL); /* no rewinding */
	TQ_INT(t, s->ops->begin(s, 5, NULL, &e), QV_OK);
	TQ_INT(t, s_write(s, " world", &e), QV_OK);
	TQ_INT(t, s->ops->commit(s, &e), QV_OK);
	TQ_INT(t, ss.written, 11);
	n = read(fds[0], buf, sizeof buf);
	TQ_MEM(t, buf, n > 0 ? (size_t)n : 0, "hello world", 11);
	/* the reader goes away: EPIPE (SIGPIPE ignored, as main does) */
	(void)close(fds[0]);
	{
		void (*old)(int) = signal(SIGPIPE, SIG_IGN);

		TQ_INT(t, s_write(s, "more", &e), QV_E_PIPE);
		(void)signal(SIGPIPE, old);
	}
	(void)close(fds[1]);
}

/* ---- digests ------------------------------------------------------------ */

#define ABC_SHA256 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define ABC_SHA512                                                                       \
	"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a8" \
	"36ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"

static void s_digest(struct tq *t)
{
	struct sink_digest sd;
	struct sink_mem m;
	struct sink *s;
	struct digest_want w;
	struct qv_error e;
	uint8_t buf[64];
	char hex[DIGEST_HEX_MAX];

	/* report only: both digests of "abc", written through */
	sink_mem_init(&m, buf, sizeof buf, 0);
	sink_digest_init(&sd, sink_mem_sink(&m), SINK_DIGEST_SHA256 | SINK_DIGEST_SHA512, NULL);
	s = sink_digest_sink(&sd);
	TQ_TRUE(t, !sink_digest_hex(&sd, DIGEST_SHA256, hex)); /* not before the end */
	TQ_INT(t, s->ops->begin(s, 0, NULL, &e), QV_OK);
	TQ_INT(t, s_write(s, "ab", &e), QV_OK);
	TQ_INT(t, s_write(s, "c", &e), QV_OK);
	TQ_INT(t, s->ops->commit(s, &e), QV_OK);
	TQ_TRUE(t, m.committed);
	TQ_TRUE(t, sink_digest_hex(&sd, DIGEST_SHA256, hex) && strcmp(hex, ABC_SHA256) == 0);
	TQ_TRUE(t, sink_digest_hex(&sd, DIGEST_SHA512, hex) && strcmp(hex, ABC_SHA512) == 0);

	/* a resume hashes the kept bytes first; the right digest commits */
	TQ_INT(t, digest_spec_parse("SHA-256=" ABC_SHA256, strlen("SHA-256=" ABC_SHA256), &w, &e),
	       QV_OK);
	memcpy(buf, "ab", 2);
	sink_mem_init(&m, buf, sizeof buf, 2);
	sink_digest_init(&sd, sink_mem_sink(&m), 0, &w);
	s = sink_digest_sink(&sd);
	TQ_INT(t, s->resume_from, 2);
	TQ_INT(t, s->ops->begin(s, 2, NULL, &e), QV_OK);
	TQ_INT(t, s_write(s, "c", &e), QV_OK);
	TQ_INT(t, s->ops->commit(s, &e), QV_OK);
	TQ_TRUE(t, m.committed);
	TQ_TRUE(t, !sink_digest_hex(&sd, DIGEST_SHA512, hex)); /* not computed */

	/* the wrong body: no commit, the data discarded, the message names both */
	sink_mem_init(&m, buf, sizeof buf, 0);
	sink_digest_init(&sd, sink_mem_sink(&m), 0, &w);
	s = sink_digest_sink(&sd);
	TQ_INT(t, s->ops->begin(s, 0, NULL, &e), QV_OK);
	TQ_INT(t, s_write(s, "abd", &e), QV_OK);
	TQ_INT(t, s->ops->commit(s, &e), QV_E_CHECKSUM);
	TQ_TRUE(t, strncmp(e.msg, "checksum mismatch: want sha-256 " ABC_SHA256 ", got ",
			   strlen("checksum mismatch: want sha-256 " ABC_SHA256 ", got ")) == 0);
	s->ops->abort(s);
	TQ_TRUE(t, !m.committed && m.discarded);
	/* a SHA-512 pair is cut to fit one message */
	TQ_INT(t, digest_spec_parse("sha512=" ABC_SHA512, strlen("sha512=" ABC_SHA512), &w, &e),
	       QV_OK);
	sink_mem_init(&m, buf, sizeof buf, 0);
	sink_digest_init(&sd, sink_mem_sink(&m), 0, &w);
	s = sink_digest_sink(&sd);
	TQ_INT(t, s->ops->begin(s, 0, NULL, &e), QV_OK);
	TQ_INT(t, s->ops->commit(s, &e), QV_E_CHECKSUM);
	TQ_TRUE(t, strstr(e.msg, "want sha-512 ddaf35a1") != NULL && strstr(e.msg, "...") != NULL);
	s->ops->abort(s);
}

static void s_digest_names(struct tq *t)
{
	static const char *const good[] = {"sha-256", "SHA256", "Sha-256", "sha512", "SHA-512"};
	static const char *const bad[] = {"sha2-256", "sha-1", "md5", "sha", "sha--256", "",
					  "sha2566"};
	struct digest_want w;
	struct qv_error e;
	enum digest_algo a;
	uint8_t b[2];
	size_t i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		TQ_TRUE(t, digest_algo_parse(good[i], strlen(good[i]), &a));
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		TQ_TRUE(t, !digest_algo_parse(bad[i], strlen(bad[i]), &a));
	TQ_TRUE(t, digest_hex_parse("aBcD", 4, b, 2) && b[0] == 0xab && b[1] == 0xcd);
	TQ_TRUE(t, !digest_hex_parse("abc", 3, b, 2) && !digest_hex_parse("abcg", 4, b, 2));
	TQ_INT(t, digest_spec_parse("sha-256=abc", 11, &w, &e), QV_E_USAGE);
	TQ_STR(t, e.msg, "sha-256 wants 64 hex digits, got 'abc'");
	TQ_INT(t, digest_spec_parse("md5=abc", 7, &w, &e), QV_E_USAGE);
	TQ_STR(t, e.msg, "unknown digest 'md5' (sha-256 and sha-512 are supported)");
	TQ_INT(t, digest_spec_parse("abc", 3, &w, &e), QV_E_USAGE);
}

void suite_sink(struct tq *t)
{
	tq_run(t, "validator sidecar", s_validator_sidecar);
	tq_run(t, "mtime from Last-Modified, -N's date", s_times);
	tq_run(t, "replay and discard", s_replay_and_discard);
	tq_run(t, "stream sink (standard output)", s_stream);
	tq_run(t, "digest sink", s_digest);
	tq_run(t, "digest names and specs", s_digest_names);
	tq_run(t, "commit renames .part", s_success_renames);
	tq_run(t, "a retry discards what went to disk", s_retry_discards_written);
	tq_run(t, "writes of every size", s_big_writes);
	tq_run(t, "abort leaves nothing", s_failure_leaves_nothing);
	tq_run(t, "abort before begin keeps a foreign .part", s_abort_unopened_keeps_foreign_part);
	tq_run(t, "keep_part keeps the .part", s_keep_part);
	tq_run(t, "resume appends", s_resume);
	tq_run(t, "begin(0) truncates", s_restart_truncates);
	tq_run(t, "wget -c continues the final file", s_adopt_final);
	tq_run(t, "existing file replaced on commit only", s_replace_on_commit_only);
	tq_run(t, "unsafe names refused", s_bad_names);
	tq_run(t, "symlinked .part refused", s_symlink_part_refused);
	tq_run(t, "EFBIG is no space", s_efbig_is_nospace);
	tq_run(t, "memory sink", s_mem_sink);
	tq_run(t, "machine with a file sink", s_machine_with_files);
}
