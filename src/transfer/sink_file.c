/* sink_file.c - the .part + rename file sink (see sink_file.h). */
#include "transfer/sink_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* The .part path, stored right after the final one (see struct sink_file). */
static const char *sf_part(const struct sink_file *s)
{
	return s->paths + s->part_off;
}

static struct sink_file *file_from(struct sink *sk)
{
	/* base is the first member, so the two pointers coincide. */
	return (struct sink_file *)(void *)sk;
}

static enum qv_err file_write_error(const struct sink_file *s, int e, struct qv_error *err)
{
	enum qv_err code = QV_E_NOSPACE;

	if (e == ENOSPC)
		code = qv_error_set(err, code, "no space left on device writing %s", sf_part(s));
	else if (e == EFBIG)
		code = qv_error_set(err, code,
				    "file too large (file size limit or file system maximum) "
				    "writing %s",
				    sf_part(s));
	else if (e == EDQUOT)
		code = qv_error_set(err, code, "disk quota exceeded writing %s", sf_part(s));
	else
		return qv_error_sys(err, QV_E_FILE, e, "cannot write %s", sf_part(s));
	if (err != NULL)
		err->sys_errno = e;
	return code;
}

/* The buffered bytes, then p (n may be 0), in one writev(): a write that
 * overflows the buffer costs one syscall and no copy of p, however large p
 * is.  Loops until all is out: a signal or a full page cache may cut a write
 * short, and EINTR must not lose data. */
static enum qv_err file_write_both(struct sink_file *s, const uint8_t *p, size_t n,
				   struct qv_error *err)
{
	struct iovec iov[2] = {{NULL, 0}, {NULL, 0}};
	size_t k = 0, i = 0;

	if (s->buf_len > 0)
		iov[k++] = (struct iovec){ .iov_base = s->buf, .iov_len = s->buf_len };
	/* writev takes non-const bases; it only reads them. */
	if (n > 0)
		iov[k++] = (struct iovec){ .iov_base = (void *)(uintptr_t)p, .iov_len = n };
	s->buf_len = 0;
	while (i < k) {
		ssize_t w = writev(s->fd, iov + i, (int)(k - i));
		size_t left;

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return file_write_error(s, errno, err);
		if (w == 0) /* no progress on a regular file means it is full */
			return file_write_error(s, ENOSPC, err);
		left = (size_t)w;
		while (i < k && left >= iov[i].iov_len)
			left -= iov[i++].iov_len;
		if (i < k) {
			iov[i].iov_base = (uint8_t *)iov[i].iov_base + left;
			iov[i].iov_len -= left;
		}
	}
	return QV_OK;
}

static enum qv_err file_flush(struct sink_file *s, struct qv_error *err)
{
	return file_write_both(s, NULL, 0, err);
}

/* Make the .part exactly `offset` bytes long and write from there.  A .part
 * longer than offset is cut (a retry after some bytes were written); a
 * shorter one cannot be resumed from offset. */
static enum qv_err file_position(struct sink_file *s, uint64_t offset, struct qv_error *err)
{
	struct stat st;

	if (fstat(s->fd, &st) != 0)
		return qv_error_sys(err, QV_E_FILE, errno, "cannot stat %s", sf_part(s));
	if (!S_ISREG(st.st_mode))
		return qv_error_set(err, QV_E_FILE, "%s is not a regular file", sf_part(s));
	if ((uint64_t)st.st_size < offset)
		return qv_error_set(err, QV_E_FILE, "cannot resume %s: it has %llu bytes, not %llu",
				    sf_part(s), (unsigned long long)st.st_size,
				    (unsigned long long)offset);
	if ((uint64_t)st.st_size != offset && ftruncate(s->fd, (off_t)offset) != 0)
		return qv_error_sys(err, QV_E_FILE, errno, "cannot truncate %s", sf_part(s));
	if (lseek(s->fd, (off_t)offset, SEEK_SET) < 0)
		return qv_error_sys(err, QV_E_FILE, errno, "cannot seek in %s", sf_part(s));
	return QV_OK;
}

/* "dir/name.part.meta" into out; false when it does not fit (see
 * sink_file.h: such a name keeps no validator). */
static bool file_meta_path(const struct sink_file *s, char *out)
{
	const char *base = strrchr(s->paths, '/');
	size_t name = strlen(base != NULL ? base + 1 : s->paths);
	int n = snprintf(out, SINK_FILE_PATH_MAX, "%s.meta", sf_part(s));

	return name + 10 <= 255 && n > 0 && (size_t)n < SINK_FILE_PATH_MAX;
}

/* The validator a sidecar holds: exactly "If-Range: VALUE\n", VALUE
 * printable; anything else (cut by a crash, edited) is no validator, and
 * the resume restarts: never a doubtful splice. */
static void file_meta_read(struct sink_file *s)
{
	char path[SINK_FILE_PATH_MAX], buf[SINK_VALIDATOR_MAX + 16];
	ssize_t n = -1;
	size_t i;
	int fd;

	s->validator[0] = '\0';
	if (!file_meta_path(s, path))
		return;
	fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return;
	do
		n = read(fd, buf, sizeof buf);
	while (n < 0 && errno == EINTR);
	(void)close(fd);
	if (n < 12 || (size_t)n >= sizeof buf || memcmp(buf, "If-Range: ", 10) != 0 ||
	    buf[n - 1] != '\n' || (size_t)n - 11 >= SINK_VALIDATOR_MAX)
		return;
	for (i = 10; i < (size_t)n - 1; i++) {
		if ((uint8_t)buf[i] < 0x20 || (uint8_t)buf[i] >= 0x7f)
			return;
	}
	memcpy(s->validator, buf + 10, (size_t)n - 11);
	s->validator[n - 11] = '\0';
}

/* Record v as the validator of the .part just cut to zero ("" removes a
 * stale one).  With --fsync it is on disk before the first body byte. */
static enum qv_err file_meta_write(struct sink_file *s, const char *v, struct qv_error *err)
{
	char path[SINK_FILE_PATH_MAX], line[SINK_VALIDATOR_MAX + 16];
	int fd, n, rc = 0;

	if (!file_meta_path(s, path))
		return QV_OK;
	if (v == NULL || v[0] == '\0' || strlen(v) >= SINK_VALIDATOR_MAX) {
		(void)unlink(path);
		return QV_OK;
	}
	n = snprintf(line, sizeof line, "If-Range: %s\n", v);
	fd = openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
		    0644);
	if (fd < 0)
		return qv_error_sys(err, QV_E_FILE, errno, "cannot create %s", path);
	errno = 0;
	if (write(fd, line, (size_t)n) != n || (s->use_fsync && fsync(fd) != 0))
		rc = errno != 0 ? errno : ENOSPC;
	(void)close(fd);
	if (rc != 0) {
		(void)unlink(path);
		return qv_error_sys(err, QV_E_FILE, rc, "cannot write %s", path);
	}
	return QV_OK;
}

static void file_meta_remove(const struct sink_file *s)
{
	char path[SINK_FILE_PATH_MAX];

	if (s->resume && file_meta_path(s, path))
		(void)unlink(path);
}

static enum qv_err file_open_part(struct sink_file *s, uint64_t offset, struct qv_error *err)
{
	/* O_NOFOLLOW: never write through a symlink planted at NAME.part;
	 * O_NONBLOCK: a FIFO there must fail, not hang (no effect on files). */
	int flags = O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
	int fd;

	/* The usual case: no .part yet.  O_EXCL makes a new, empty regular
	 * file, so there is nothing to check, cut or seek (three syscalls
	 * per file saved).  openat, not open: musl's open() adds an
	 * fcntl(FD_CLOEXEC) for kernels older than 2.6.23. */
	do
		fd = openat(AT_FDCWD, sf_part(s), flags | O_WRONLY | O_EXCL, 0644);
	while (fd < 0 && errno == EINTR);
	if (fd >= 0 && offset == 0) {
		s->fd = fd;
		s->touched = true;
		return QV_OK;
	}
	/* An old .part (or whatever else holds the name): open it and let
	 * file_position check and cut it; readable, for a digest's replay. */
	if (fd < 0 && errno == EEXIST) {
		do
			fd = openat(AT_FDCWD, sf_part(s), flags | O_RDWR, 0644);
		while (fd < 0 && errno == EINTR);
	}
	if (fd < 0 && (errno == ENOSPC || errno == EDQUOT))
		return file_write_error(s, errno, err);
	if (fd < 0)
		return qv_error_sys(err, QV_E_FILE, errno, "cannot create %s", sf_part(s));
	s->fd = fd;
	s->touched = true;
	return file_position(s, offset, err);
}

static enum qv_err file_begin(struct sink *sk, uint64_t offset, const struct sink_meta *meta,
			      struct qv_error *err)
{
	struct sink_file *s = file_from(sk);
	enum qv_err rc;

	if (s->ended)
		return qv_error_set(err, QV_E_INTERNAL, "file sink: begin after the end");
	s->buf_len = 0; /* bytes of an earlier attempt are discarded */
	s->wrote = false;
	if (s->adopt && offset > 0 && rename(s->paths, sf_part(s)) != 0)
		return qv_error_sys(err, QV_E_FILE, errno, "cannot rename %s to %s", s->paths,
				    sf_part(s));
	s->adopt = false;
	s->has_mtime = meta != NULL && meta->has_mtime;
	s->mtime = s->has_mtime ? meta->mtime : 0;
	rc = s->fd < 0 ? file_open_part(s, offset, err) : file_position(s, offset, err);
	/* a resumed body keeps the validator of the bytes it continues */
	if (rc == QV_OK && s->resume && offset == 0)
		rc = file_meta_write(s, meta != NULL ? meta->validator : NULL, err);
	return rc;
}

static enum qv_err file_replay(struct sink *sk, uint64_t n, sink_replay_fn fn, void *ctx,
			       struct qv_error *err)
{
	struct sink_file *s = file_from(sk);
	uint64_t pos = 0;

	if (s->ended || s->fd < 0 || s->buf_len != 0)
		return qv_error_set(err, QV_E_INTERNAL, "file sink: replay outside begin");
	while (pos < n) {
		size_t want = n - pos < SINK_FILE_BUF ? (size_t)(n - pos) : SINK_FILE_BUF;
		ssize_t r = pread(s->fd, s->buf, want, (off_t)pos);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return qv_error_sys(err, QV_E_FILE, errno, "cannot read %s", sf_part(s));
		if (r == 0)
			return qv_error_set(err, QV_E_FILE, "%s is shorter than %llu bytes", sf_part(s),
					    (unsigned long long)n);
		fn(ctx, s->buf, (size_t)r);
		pos += (uint64_t)r;
	}
	return QV_OK;
}

static enum qv_err file_write(struct sink *sk, const uint8_t *p, size_t n, struct qv_error *err)
{
	struct sink_file *s = file_from(sk);

	if (s->ended || s->fd < 0)
		return qv_error_set(err, QV_E_INTERNAL, "file sink: write outside begin/commit");
	if (n == 0)
		return QV_OK;
	if (!s->wrote || n > SINK_FILE_BUF - s->buf_len) {
		s->wrote = true;
		return file_write_both(s, p, n, err);
	}
	memcpy(s->buf + s->buf_len, p, n);
	s->buf_len += n;
	return QV_OK;
}

/* After the rename, fsync the directory so the new name is durable too.
 * Best effort: some file systems refuse fsync on directories. */
static void file_sync_dir(const struct sink_file *s)
{
	char dir[SINK_FILE_PATH_MAX];
	const char *slash = strrchr(s->paths, '/');
	int fd;

	if (slash == NULL) {
		(void)snprintf(dir, sizeof dir, ".");
	} else {
		size_t n = (size_t)(slash - s->paths);

		memcpy(dir, s->paths, n);
		dir[n > 0 ? n : 1] = '\0';
		if (n == 0)
			dir[0] = '/';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)fsync(fd);
	(void)close(fd);
}

static enum qv_err file_close(struct sink_file *s, struct qv_error *err)
{
	int rc = close(s->fd);
	int e = errno;

	s->fd = -1;
	/* close() may report a deferred write error (NFS); EINTR still closed. */
	if (rc != 0 && e != EINTR)
		return e == ENOSPC || e == EDQUOT ? file_write_error(s, e, err)
						  : qv_error_sys(err, QV_E_FILE, e, "cannot close %s",
								 sf_part(s));
	return QV_OK;
}

static enum qv_err file_commit(struct sink *sk, struct qv_error *err)
{
	struct sink_file *s = file_from(sk);
	enum qv_err rc;

	if (s->ended || s->fd < 0)
		return qv_error_set(err, QV_E_INTERNAL, "file sink: commit without begin");
	rc = file_flush(s, err);
	/* before the rename: the final name never shows another date.  A file
	 * system that refuses times loses only the date, as with wget. */
	if (rc == QV_OK && s->set_mtime && s->has_mtime) {
		struct timespec ts[2] = {{0, UTIME_OMIT}, {(time_t)s->mtime, 0}};

		(void)futimens(s->fd, ts);
	}
	if (rc == QV_OK && s->use_fsync && fsync(s->fd) != 0)
		rc = file_write_error(s, errno, err);
	if (rc != QV_OK)
		return rc;
	rc = file_close(s, err);
	if (rc != QV_OK)
		return rc;
	if (rename(sf_part(s), s->paths) != 0)
		return qv_error_sys(err, QV_E_FILE, errno, "cannot rename %s to %s", sf_part(s),
				    s->paths);
	if (s->use_fsync)
		file_sync_dir(s);
	file_meta_remove(s);
	s->ended = true;
	return QV_OK;
}

static void file_abort(struct sink *sk)
{
	struct sink_file *s = file_from(sk);

	if (s->ended)
		return;
	s->ended = true;
	if (s->fd >= 0) {
		/* A kept .part must hold every byte received, for the resume. */
		if (s->keep_part)
			(void)file_flush(s, NULL);
		(void)close(s->fd);
		s->fd = -1;
	}
	if (s->touched && !s->keep_part) {
		(void)unlink(sf_part(s));
		file_meta_remove(s);
	}
}

static void file_discard(struct sink *sk)
{
	file_from(sk)->keep_part = false;
	file_abort(sk);
}

static const struct sink_ops sink_file_ops = {
	.begin = file_begin,
	.write = file_write,
	.commit = file_commit,
	.abort = file_abort,
	.replay = file_replay,
	.discard = file_discard,
};

static enum qv_err file_check_name(const char *name, struct qv_error *err)
{
	size_t n;

	if (name == NULL || name[0] == '\0')
		return qv_error_set(err, QV_E_NAME, "empty file name");
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strchr(name, '/') != NULL)
		return qv_error_set(err, QV_E_NAME, "unsafe file name '%s'", name);
	n = strlen(name);
	if (n > SINK_FILE_NAME_MAX)
		return qv_error_set(err, QV_E_NAME, "file name too long (%zu bytes, at most %u)", n,
				    SINK_FILE_NAME_MAX);
	return QV_OK;
}

static enum qv_err file_make_paths(struct sink_file *s, const char *dir, const char *name,
				   struct qv_error *err)
{
	int n, m = -1;

	if (dir == NULL || dir[0] == '\0')
		n = snprintf(s->paths, SINK_FILE_PATH_MAX, "%s", name);
	else if (dir[strlen(dir) - 1] == '/')
		n = snprintf(s->paths, SINK_FILE_PATH_MAX, "%s%s", dir, name);
	else
		n = snprintf(s->paths, SINK_FILE_PATH_MAX, "%s/%s", dir, name);
	if (n >= 0 && (size_t)n < SINK_FILE_PATH_MAX) {
		s->part_off = (size_t)n + 1;
		m = snprintf(&s->paths[s->part_off], SINK_FILE_PATH_MAX, "%s.part", s->paths);
	}
	if (m < 0 || (size_t)m >= SINK_FILE_PATH_MAX) {
		s->paths[0] = '\0';
		s->part_off = 0;
		return qv_error_set(err, QV_E_NAME, "path too long for %s", name);
	}
	return QV_OK;
}

enum qv_err sink_file_open(struct sink_file *s, const char *dir, const char *name,
			   bool keep_part_for_resume, bool use_fsync, struct qv_error *err)
{
	struct stat st;
	enum qv_err rc;

	memset(&s->base, 0, sizeof s->base);
	s->base.ops = &sink_file_ops;
	s->base.resume_validator = s->validator;
	s->validator[0] = '\0';
	s->resume = keep_part_for_resume;
	s->set_mtime = false;
	s->has_mtime = false;
	s->fd = -1;
	s->keep_part = keep_part_for_resume;
	s->use_fsync = use_fsync;
	s->touched = false;
	s->ended = false;
	s->wrote = false;
	s->adopt = false;
	s->buf_len = 0;
	s->paths[0] = '\0';
	s->part_off = 0;
	rc = file_check_name(name, err);
	if (rc == QV_OK)
		rc = file_make_paths(s, dir, name, err);
	if (rc != QV_OK)
		return rc;
	if (keep_part_for_resume && lstat(sf_part(s), &st) == 0 && S_ISREG(st.st_mode)) {
		s->base.resume_from = (uint64_t)st.st_size;
		file_meta_read(s);
	}
	return QV_OK;
}

void sink_file_adopt_final(struct sink_file *s)
{
	struct stat st;

	if (!s->keep_part || s->base.resume_from > 0 || lstat(sf_part(s), &st) == 0 ||
	    lstat(s->paths, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return;
	s->adopt = true;
	s->base.resume_from = (uint64_t)st.st_size;
}

void sink_file_times(struct sink_file *s, bool set_mtime, bool if_modified)
{
	struct stat st;

	s->set_mtime = set_mtime;
	s->base.has_ims = if_modified && lstat(s->paths, &st) == 0 && S_ISREG(st.st_mode);
	s->base.ims = s->base.has_ims ? (int64_t)st.st_mtime : 0;
}

struct sink *sink_file_sink(struct sink_file *s)
{
	return &s->base;
}

const char *sink_file_path(const struct sink_file *s)
{
	return s->paths;
}

const char *sink_file_part_path(const struct sink_file *s)
{
	return sf_part(s);
}
