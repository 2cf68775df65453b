/* sink_file.c - the .part + rename file sink (see sink_file.h). */
#include "transfer/sink_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
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

static enum qv_err file_begin(struct sink *sk, uint64_t offset, struct qv_error *err)
{
	struct sink_file *s = file_from(sk);
	/* O_NOFOLLOW: never write through a symlink planted at NAME.part;
	 * O_NONBLOCK: a FIFO there must fail, not hang (no effect on files). */
	int flags = O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;

	if (s->ended)
		return qv_error_set(err, QV_E_INTERNAL, "file sink: begin after the end");
	s->buf_len = 0; /* bytes of an earlier attempt are discarded */
	s->wrote = false;
	if (s->adopt && offset > 0 && rename(s->paths, sf_part(s)) != 0)
		return qv_error_sys(err, QV_E_FILE, errno, "cannot rename %s to %s", s->paths,
				    sf_part(s));
	s->adopt = false;
	if (s->fd < 0) {
		int fd;

		/* The usual case: no .part yet.  O_EXCL makes a new, empty regular
		 * file, so there is nothing to check, cut or seek (three syscalls
		 * per file saved).  openat, not open: musl's open() adds an
		 * fcntl(FD_CLOEXEC) for kernels older than 2.6.23. */
		do
			fd = openat(AT_FDCWD, sf_part(s), flags | O_EXCL, 0644);
		while (fd < 0 && errno == EINTR);
		if (fd >= 0 && offset == 0) {
			s->fd = fd;
			s->touched = true;
			return QV_OK;
		}
		/* An old .part (or whatever else holds the name): open it and
		 * let file_position check and cut it. */
		if (fd < 0 && errno == EEXIST) {
			do
				fd = openat(AT_FDCWD, sf_part(s), flags, 0644);
			while (fd < 0 && errno == EINTR);
		}
		if (fd < 0 && (errno == ENOSPC || errno == EDQUOT))
			return file_write_error(s, errno, err);
		if (fd < 0)
			return qv_error_sys(err, QV_E_FILE, errno, "cannot create %s", sf_part(s));
		s->fd = fd;
		s->touched = true;
	}
	return file_position(s, offset, err);
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
	if (s->touched && !s->keep_part)
		(void)unlink(sf_part(s));
}

static const struct sink_ops sink_file_ops = {
	.begin = file_begin,
	.write = file_write,
	.commit = file_commit,
	.abort = file_abort,
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

	s->base.ops = &sink_file_ops;
	s->base.resume_from = 0;
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
	if (keep_part_for_resume && lstat(sf_part(s), &st) == 0 && S_ISREG(st.st_mode))
		s->base.resume_from = (uint64_t)st.st_size;
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
