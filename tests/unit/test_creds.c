/* test_creds.c - origin credentials of a get run: precedence (-u, URL,
 * .netrc machine, .netrc default), a user name without password, the
 * user:***@ form shown for URLs, many hosts from one .netrc, and the
 * warning for a .netrc others can read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/get/creds.h"
#include "tq.h"

void suite_creds(struct tq *t);

/* A temporary .netrc with text and mode; its path in out. */
static bool netrc_file(char *out, size_t cap, const char *text, mode_t mode)
{
	int fd;

	(void)snprintf(out, cap, "/tmp/quiver-netrc-XXXXXX");
	fd = mkstemp(out);
	if (fd < 0)
		return false;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fchmod(fd, mode) != 0) {
		(void)close(fd);
		return false;
	}
	return close(fd) == 0;
}

/* creds_for_url on a URL whose host is host. */
static void for_url(struct tq *t, struct creds *c, const char *url, const char *host,
		    const char *want_auth, const char *want_shown)
{
	const char *auth, *shown;
	struct qv_error e;

	if (!TQ_INT(t, creds_for_url(c, url, strlen(url), host, &auth, &shown, &e), QV_OK))
		return;
	TQ_STR(t, auth != NULL ? auth : "(none)", want_auth);
	TQ_STR(t, shown != NULL ? shown : "(as given)", want_shown);
}

static void t_precedence(struct tq *t)
{
	char path[64];
	struct creds c;
	struct qv_error e;

	if (!TQ_TRUE(t, netrc_file(path, sizeof path,
				   "machine a.example login na password np\n"
				   "default login dl password dp\n",
				   0600)))
		return;
	/* netrc: the machine, else default */
	if (TQ_INT(t, creds_init(&c, NULL, path, true, stderr, &e), QV_OK)) {
		for_url(t, &c, "http://A.example/x", "a.example", "Basic bmE6bnA=", "(as given)");
		for_url(t, &c, "http://b.example/x", "b.example", "Basic ZGw6ZHA=", "(as given)");
		/* the URL beats netrc; its password never shows */
		for_url(t, &c, "http://u%40x:s3cret@a.example/p?q", "a.example",
			"Basic dUB4OnMzY3JldA==", "http://u%40x:***@a.example/p?q");
		/* a URL user without password takes netrc's when the login matches */
		for_url(t, &c, "http://na@a.example/", "a.example", "Basic bmE6bnA=", "(as given)");
		for_url(t, &c, "http://other@a.example/", "a.example", "Basic b3RoZXI6",
			"(as given)");
		creds_clear(&c);
	}
	/* -u beats both, and a URL's password is still hidden */
	if (TQ_INT(t, creds_init(&c, "alice:pw", path, true, stderr, &e), QV_OK)) {
		for_url(t, &c, "http://u:p@a.example/", "a.example", "Basic YWxpY2U6cHc=",
			"http://u:***@a.example/");
		for_url(t, &c, "http://b.example/", "b.example", "Basic YWxpY2U6cHc=", "(as given)");
		creds_clear(&c);
	}
	if (TQ_INT(t, creds_init(&c, "na", path, true, stderr, &e), QV_OK)) {
		for_url(t, &c, "http://a.example/", "a.example", "Basic bmE6bnA=", "(as given)");
		creds_clear(&c);
	}
	/* nothing at all */
	if (TQ_INT(t, creds_init(&c, NULL, NULL, false, stderr, &e), QV_OK)) {
		for_url(t, &c, "http://a.example/", "a.example", "(none)", "(as given)");
		creds_clear(&c);
	}
	(void)unlink(path);
}

static void t_many_hosts(struct tq *t)
{
	static char text[64 * 2000];
	char path[64], host[32], url[64];
	struct creds c;
	struct qv_error e;
	size_t n = 0;
	unsigned i;

	for (i = 0; i < 2000; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "machine h%u.example login u%u password p\n",
				      i, i);
	if (!TQ_TRUE(t, netrc_file(path, sizeof path, text, 0600)))
		return;
	if (TQ_INT(t, creds_init(&c, NULL, path, true, stderr, &e), QV_OK)) {
		TQ_INT(t, c.used, 2000);
		for (i = 0; i < 2000; i += 397) {
			const char *auth, *shown;

			(void)snprintf(host, sizeof host, "h%u.example", i);
			(void)snprintf(url, sizeof url, "http://%s/", host);
			TQ_INT(t, creds_for_url(&c, url, strlen(url), host, &auth, &shown, &e), QV_OK);
			TQ_TRUE(t, auth != NULL);
		}
		creds_clear(&c);
	}
	(void)unlink(path);
}

static void t_errors(struct tq *t)
{
	char path[64], out[256];
	struct creds c;
	struct qv_error e;
	FILE *warn = tmpfile();

	TQ_INT(t, creds_init(&c, "a:b:c", NULL, false, stderr, &e), QV_OK); /* ':' in a password */
	creds_clear(&c);
	TQ_INT(t, creds_init(&c, NULL, "/nonexistent/netrc", true, stderr, &e), QV_E_USAGE);
	TQ_TRUE(t, strstr(e.msg, "/nonexistent/netrc") != NULL);
	TQ_INT(t, creds_init(&c, NULL, "/nonexistent/netrc", false, stderr, &e), QV_OK);
	creds_clear(&c);
	if (TQ_TRUE(t, netrc_file(path, sizeof path, "machine a login \"x", 0600))) {
		TQ_INT(t, creds_init(&c, NULL, path, true, stderr, &e), QV_E_USAGE);
		TQ_TRUE(t, strstr(e.msg, path) != NULL && strstr(e.msg, "line 1") != NULL);
		(void)unlink(path);
	}
	if (warn != NULL && TQ_TRUE(t, netrc_file(path, sizeof path, "default login d password x\n",
						  0644))) {
		TQ_INT(t, creds_init(&c, NULL, path, true, warn, &e), QV_OK);
		creds_clear(&c);
		rewind(warn);
		out[0] = '\0';
		TQ_TRUE(t, fgets(out, sizeof out, warn) != NULL);
		TQ_TRUE(t, strstr(out, "is readable by other users") != NULL);
		(void)unlink(path);
	}
	if (warn != NULL)
		(void)fclose(warn);
}

void suite_creds(struct tq *t)
{
	tq_run(t, "precedence and shown URLs", t_precedence);
	tq_run(t, "a table of many hosts", t_many_hosts);
	tq_run(t, "errors and the readable-netrc warning", t_errors);
}
