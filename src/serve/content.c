/* content.c - building and looking up the server's responses.
 *
 * Built-in mode renders the 194 flags and their metadata.json once, each
 * response (head + body) in one block, indexed by code for O(1) lookup.
 * Dir mode reads {dir}/{cc}/{cc}.gif or metadata.json per request: the
 * router guarantees cc is two letters a-z, so the path cannot escape. */
#include "serve/content.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "serve/country.h"
#include "serve/flag.h"

/* Codes aa..zz. */
#define CODES (26 * 26)
/* Room for any head we write (status line, four fields). */
#define HEAD_MAX 192
/* "{dir}/xx/metadata.json": the dir plus a short fixed tail. */
#define PATH_TAIL_MAX 32

struct canned {
	int status;
	const char *reason;
};

/* The statuses the server sends besides 200; body = "{status} {reason}\n". */
static const struct canned canned_list[] = {
	{400, "Bad Request"},
	{404, "Not Found"},
	{405, "Method Not Allowed"},
	{418, "I'm a Teapot"},
	{431, "Request Header Fields Too Large"},
	{500, "Internal Server Error"},
	{501, "Not Implemented"},
	{503, "Service Unavailable"},
	{505, "HTTP Version Not Supported"},
};
#define NCANNED (sizeof canned_list / sizeof canned_list[0])

/* One prepared response: head then body in buf. */
struct prepared {
	uint8_t *buf;
	size_t head_len, body_len;
};

struct serve_content {
	char *dir;                                 /* NULL: built-in */
	struct prepared flags[COUNTRY_COUNT][2];   /* [country][kind] */
	int16_t index[CODES];                      /* code -> country, or -1 */
	struct prepared canned[NCANNED];
};

static const char *content_type(enum serve_kind kind)
{
	return kind == SERVE_KIND_GIF ? "image/gif" : "application/json";
}

/* Write the head for status/type/length into out; returns its length. */
static size_t content_head(char *out, size_t cap, int status, const char *reason,
			   const char *type, size_t body_len)
{
	int n = snprintf(out, cap,
			 "HTTP/1.1 %d %s\r\nServer: quiver\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\n%s",
			 status, reason, type, body_len,
			 status == 405 ? "Allow: GET, HEAD\r\n"
			 : status == 503 ? "Retry-After: 1\r\n" : "");

	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* head and body into one block; false when there is no memory. */
static bool prepared_make(struct prepared *p, const char *head, size_t head_len,
			  const void *body, size_t body_len)
{
	p->buf = malloc(head_len + body_len);
	/* gcc-analyzer-suppress malloc-leak: gcc 12 loses a store through
	 * ct->flags[i][k] (a symbolic index) and calls it a leak; the block is
	 * owned by ct and freed in serve_content_free. */
	if (p->buf == NULL)
		return false;
	memcpy(p->buf, head, head_len);
	memcpy(p->buf + head_len, body, body_len);
	p->head_len = head_len;
	p->body_len = body_len;
	return true;
}

static void prepared_view(const struct prepared *p, struct serve_resp *out)
{
	out->head = p->buf;
	out->head_len = p->head_len;
	out->body = p->buf + p->head_len;
	out->body_len = p->body_len;
	out->owned = NULL;
}

static enum qv_err content_canned_build(struct serve_content *ct, struct qv_error *err)
{
	size_t i;

	for (i = 0; i < NCANNED; i++) {
		char head[HEAD_MAX], body[64];
		int blen = snprintf(body, sizeof body, "%d %s\n", canned_list[i].status,
				    canned_list[i].reason);
		size_t hlen = content_head(head, sizeof head, canned_list[i].status,
					   canned_list[i].reason, "text/plain", (size_t)blen);

		if (blen <= 0 || hlen == 0 ||
		    !prepared_make(&ct->canned[i], head, hlen, body, (size_t)blen))
			return qv_error_set(err, QV_E_NOMEM, "out of memory");
	}
	return QV_OK;
}

static enum qv_err content_flags_build(struct serve_content *ct, struct qv_error *err)
{
	uint8_t *gif = malloc(FLAG_GIF_MAX);
	char head[HEAD_MAX], json[COUNTRY_JSON_MAX];
	size_t i, glen, jlen, hlen;
	enum qv_err rc = QV_OK;

	if (gif == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory building the flags");
	for (i = 0; i < COUNTRY_COUNT && rc == QV_OK; i++) {
		const struct country *c = &country_table[i];

		rc = flag_gif(c->iso, gif, FLAG_GIF_MAX, &glen, err);
		if (rc != QV_OK)
			break;
		jlen = country_json(c, json, sizeof json);
		ct->index[(c->iso[0] - 'A') * 26 + (c->iso[1] - 'A')] = (int16_t)i;
		hlen = content_head(head, sizeof head, 200, "OK", content_type(SERVE_KIND_GIF), glen);
		if (!prepared_make(&ct->flags[i][SERVE_KIND_GIF], head, hlen, gif, glen))
			rc = qv_error_set(err, QV_E_NOMEM, "out of memory building the flags");
		hlen = content_head(head, sizeof head, 200, "OK", content_type(SERVE_KIND_JSON), jlen);
		if (rc == QV_OK &&
		    !prepared_make(&ct->flags[i][SERVE_KIND_JSON], head, hlen, json, jlen))
			rc = qv_error_set(err, QV_E_NOMEM, "out of memory building the flags");
	}
	free(gif);
	return rc;
}

static enum qv_err content_dir_check(struct serve_content *ct, const char *dir,
				     struct qv_error *err)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		return qv_error_sys(err, QV_E_FILE, errno, "cannot serve --dir %s", dir);
	if (!S_ISDIR(st.st_mode))
		return qv_error_set(err, QV_E_FILE, "cannot serve --dir %s: not a directory", dir);
	ct->dir = strdup(dir);
	if (ct->dir == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	return QV_OK;
}

enum qv_err serve_content_new(struct serve_content **out, const char *dir, struct qv_error *err)
{
	struct serve_content *ct = calloc(1, sizeof *ct);
	enum qv_err rc;

	*out = NULL;
	if (ct == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	memset(ct->index, 0xff, sizeof ct->index);   /* all -1 */
	rc = content_canned_build(ct, err);
	if (rc == QV_OK)
		rc = dir != NULL ? content_dir_check(ct, dir, err) : content_flags_build(ct, err);
	if (rc != QV_OK) {
		serve_content_free(ct);
		return rc;
	}
	*out = ct;
	return QV_OK;
}

void serve_content_free(struct serve_content *ct)
{
	size_t i;

	if (ct == NULL)
		return;
	for (i = 0; i < COUNTRY_COUNT; i++) {
		free(ct->flags[i][0].buf);
		free(ct->flags[i][1].buf);
	}
	for (i = 0; i < NCANNED; i++)
		free(ct->canned[i].buf);
	free(ct->dir);
	free(ct);
}

/* Index in canned_list of status, or NCANNED. */
static size_t canned_find(int status)
{
	size_t i;

	for (i = 0; i < NCANNED && canned_list[i].status != status; i++)
		;
	return i;
}

void serve_content_status(const struct serve_content *ct, int status, struct serve_resp *out)
{
	size_t i = canned_find(status);

	/* a status without a canned text is a bug: answer 500 rather than crash */
	prepared_view(&ct->canned[i < NCANNED ? i : canned_find(500)], out);
}

/* Read {dir}/{cc}/{file} into one block with its head.  Returns the status
 * to answer: 200 (out filled), 404 or 500 (out untouched). */
static int content_file(const struct serve_content *ct, const char cc[2], enum serve_kind kind,
			struct serve_resp *out)
{
	size_t plen = strlen(ct->dir) + PATH_TAIL_MAX, hlen, got = 0;
	char *path = malloc(plen), head[HEAD_MAX];
	struct stat st;
	int fd, status = 500;

	if (path == NULL)
		return 500;
	if (kind == SERVE_KIND_GIF)
		(void)snprintf(path, plen, "%s/%.2s/%.2s.gif", ct->dir, cc, cc);
	else
		(void)snprintf(path, plen, "%s/%.2s/metadata.json", ct->dir, cc);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	free(path);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 404 : 500;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > SERVE_FILE_MAX)
		goto out;
	hlen = content_head(head, sizeof head, 200, "OK", content_type(kind), (size_t)st.st_size);
	out->owned = malloc(hlen + (size_t)st.st_size + 1);
	if (hlen == 0 || out->owned == NULL)
		goto out;
	memcpy(out->owned, head, hlen);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, out->owned + hlen + got, (size_t)st.st_size - got);

		if (r <= 0 && !(r < 0 && errno == EINTR))
			goto out;   /* error, or the file shrank under us */
		got += r > 0 ? (size_t)r : 0;
	}
	out->head = out->owned;
	out->head_len = hlen;
	out->body = out->owned + hlen;
	out->body_len = got;
	status = 200;
out:
	if (status != 200) {
		free(out->owned);
		out->owned = NULL;
	}
	(void)close(fd);
	return status;
}

void serve_content_get(const struct serve_content *ct, const char cc[2], enum serve_kind kind,
		       struct serve_resp *out)
{
	int idx, status;

	memset(out, 0, sizeof *out);
	if (cc[0] < 'a' || cc[0] > 'z' || cc[1] < 'a' || cc[1] > 'z') {
		serve_content_status(ct, 404, out);
		return;
	}
	if (ct->dir != NULL) {
		status = content_file(ct, cc, kind, out);
		if (status != 200)
			serve_content_status(ct, status, out);
		return;
	}
	idx = ct->index[(cc[0] - 'a') * 26 + (cc[1] - 'a')];
	if (idx < 0)
		serve_content_status(ct, 404, out);
	else
		prepared_view(&ct->flags[idx][kind], out);
}
