/* pem.c - capped file reads and a PEM object iterator over BearSSL's decoder. */
#include "tls/pem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tls/br.h"

enum qv_err tls_file_read(const char *path, size_t max, uint8_t **out, size_t *len,
			  struct qv_error *err)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t have = 0;
	enum qv_err rc = QV_OK;
	int fd;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return qv_error_sys(err, QV_E_TLS_PEM, errno, "cannot read %s", path);
	if (fstat(fd, &st) != 0) {
		rc = qv_error_sys(err, QV_E_TLS_PEM, errno, "cannot read %s", path);
	} else if (!S_ISREG(st.st_mode)) {
		rc = qv_error_set(err, QV_E_TLS_PEM, "%s is not a regular file", path);
	} else if ((uintmax_t)st.st_size > max) {
		rc = qv_error_set(err, QV_E_TLS_PEM, "%s is larger than %zu bytes", path, max);
	} else if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		rc = qv_error_set(err, QV_E_NOMEM, "out of memory");
	}
	/* Read what fstat promised, no more: the file may change under us. */
	while (rc == QV_OK && have < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + have, (size_t)st.st_size - have);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			rc = qv_error_sys(err, QV_E_TLS_PEM, errno, "cannot read %s", path);
		else if (r == 0)
			break;
		else
			have += (size_t)r;
	}
	(void)close(fd);
	if (rc != QV_OK) {
		free(buf);
		return rc;
	}
	*out = buf;
	*len = have;
	return QV_OK;
}

/* Where the decoder writes one object's bytes; overflow is remembered, not
 * written. */
struct pem_obj {
	uint8_t *buf;
	size_t len;
	bool overflow;
};

static void pem_obj_append(void *ctx, const void *src, size_t len)
{
	struct pem_obj *o = ctx;

	if (o->overflow || len > TLS_PEM_OBJ_MAX - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, src, len);
	o->len += len;
}

/* React to one decoder event; *in_obj tracks whether an object is open. */
static enum qv_err pem_event(br_pem_decoder_context *pc, struct pem_obj *o, bool *in_obj,
			     char *name, size_t name_cap, tls_pem_fn fn, void *ctx, size_t *count,
			     struct qv_error *err)
{
	switch (br_pem_decoder_event(pc)) {
	case BR_PEM_BEGIN_OBJ:
		(void)snprintf(name, name_cap, "%s", br_pem_decoder_name(pc));
		o->len = 0;
		o->overflow = false;
		br_pem_decoder_setdest(pc, pem_obj_append, o);
		*in_obj = true;
		return QV_OK;
	case BR_PEM_END_OBJ:
		if (!*in_obj)
			return QV_OK;
		*in_obj = false;
		(*count)++;
		if (o->overflow)
			return qv_error_set(err, QV_E_TLS_PEM, "PEM object %s is larger than %u bytes",
					    name, TLS_PEM_OBJ_MAX);
		return fn(ctx, name, o->buf, o->len, err);
	case BR_PEM_ERROR:
		return qv_error_set(err, QV_E_TLS_PEM, "malformed PEM data");
	default:
		return QV_OK;
	}
}

enum qv_err tls_pem_each(const uint8_t *data, size_t len, tls_pem_fn fn, void *ctx, size_t *count,
			 struct qv_error *err)
{
	br_pem_decoder_context pc;
	struct pem_obj o = {NULL, 0, false};
	char name[128];
	size_t seen = 0;
	bool in_obj = false, final_nl = false;
	enum qv_err rc = QV_OK;

	if (count != NULL)
		*count = 0;
	o.buf = malloc(TLS_PEM_OBJ_MAX);
	if (o.buf == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	br_pem_decoder_init(&pc);
	name[0] = '\0';
	while (rc == QV_OK) {
		size_t n;

		if (len == 0) {
			/* The decoder needs a newline after the last END line. */
			if (final_nl)
				break;
			final_nl = true;
			data = (const uint8_t *)"\n";
			len = 1;
		}
		n = br_pem_decoder_push(&pc, data, len);
		data += n;
		len -= n;
		rc = pem_event(&pc, &o, &in_obj, name, sizeof name, fn, ctx, &seen, err);
	}
	if (rc == QV_OK && in_obj)
		rc = qv_error_set(err, QV_E_TLS_PEM, "unterminated PEM object %s", name);
	free(o.buf);
	if (count != NULL)
		*count = seen;
	return rc;
}
