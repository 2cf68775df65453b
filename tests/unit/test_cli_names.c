/* test_cli_names.c - output-name clashes (incl. NAME vs NAME.part), the
 * --auto-rename scheme (names as documented, and planned in time linear in
 * the list whatever its names), wget's GNU names (NAME.1 past the files
 * of the directory, linear too), and URL list reading. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/fname.h"
#include "cli/get/autoname.h"
#include "cli/get/get_plan.h"
#include "cli/get/nameset.h"
#include "cli/get/urllist.h"
#include "tq.h"

void suite_cli_names(struct tq *t);

static void t_clash(struct tq *t)
{
	const char *names[] = {"a.gif", "b.gif", "a.gif", "c", "c.part", "d.part", "d"};
	struct nameset *s;
	struct qv_error e;

	if (!TQ_INT(t, nameset_new(&s, names, 7, &e), QV_OK))
		return;
	TQ_TRUE(t, nameset_clash(s, names[0]) == NAMESET_NONE);
	TQ_TRUE(t, nameset_add(s, 0));
	TQ_TRUE(t, nameset_clash(s, names[1]) == NAMESET_NONE);
	TQ_TRUE(t, nameset_add(s, 1));
	TQ_INT(t, nameset_clash(s, names[2]), 0);
	TQ_TRUE(t, nameset_clash(s, names[3]) == NAMESET_NONE);
	TQ_TRUE(t, nameset_add(s, 3));
	TQ_INT(t, nameset_clash(s, names[4]), 3);      /* c.part is c's temp file */
	TQ_TRUE(t, nameset_add(s, 5));
	TQ_INT(t, nameset_clash(s, names[6]), 5);      /* d's temp file is taken */
	TQ_TRUE(t, nameset_clash(s, "a.gi") == NAMESET_NONE);
	/* -c keeps c's validator in c.part.meta */
	TQ_INT(t, nameset_clash(s, "c.part.meta"), 3);
	TQ_INT(t, nameset_find(s, "c", 1), 3);
	TQ_TRUE(t, nameset_find(s, "c.part", 6) == NAMESET_NONE); /* exact only */
	nameset_free(s);
	nameset_free(NULL);
	{
		const char *m[] = {"e.part.meta", "e"};

		if (TQ_INT(t, nameset_new(&s, m, 2, &e), QV_OK)) {
			TQ_TRUE(t, nameset_add(s, 0));
			TQ_INT(t, nameset_clash(s, m[1]), 0);
			nameset_free(s);
		}
	}
}

static void t_many(struct tq *t)
{
	enum { N = 5000 };
	char **names = calloc(N, sizeof *names);
	struct nameset *s;
	struct qv_error e;
	size_t i;

	if (!TQ_TRUE(t, names != NULL))
		return;
	for (i = 0; i < N; i++) {
		names[i] = malloc(16);
		(void)snprintf(names[i], 16, "f%zu", i % (N / 2));
	}
	if (TQ_INT(t, nameset_new(&s, (const char *const *)names, N, &e), QV_OK)) {
		size_t clashes = 0;

		for (i = 0; i < N; i++) {
			if (nameset_clash(s, names[i]) != NAMESET_NONE)
				clashes++;
			else
				TQ_TRUE(t, nameset_add(s, i));
		}
		TQ_INT(t, clashes, N / 2);
		nameset_free(s);
	}
	for (i = 0; i < N; i++)
		free(names[i]);
	free(names);
}

static void t_rename(struct tq *t)
{
	char out[FNAME_MAX + 32], longname[FNAME_MAX + 1];

	autoname_format("a.gif", 1, false, out, sizeof out);
	TQ_STR(t, out, "a.1.gif");
	autoname_format("a.tar.gz", 12, false, out, sizeof out);
	TQ_STR(t, out, "a.tar.12.gz");
	autoname_format("README", 2, false, out, sizeof out);
	TQ_STR(t, out, "README.2");
	autoname_format(".bashrc", 1, false, out, sizeof out);
	TQ_STR(t, out, ".bashrc.1");
	memset(longname, 'x', FNAME_MAX - 4);
	memcpy(longname + FNAME_MAX - 4, ".gif", 5);
	autoname_format(longname, 99, false, out, sizeof out);
	TQ_INT(t, strlen(out), FNAME_MAX);
	TQ_TRUE(t, strcmp(out + FNAME_MAX - 7, ".99.gif") == 0);
}

/* A plan over urls[0..n) with --auto-rename (or wget's GNU names against
 * the files of dir) and --dry-run (nothing is created); problems go to
 * /dev/null. */
static enum qv_err plan_names_in(struct get_plan *p, char *const *urls, size_t n, const char *dir,
				 bool gnu, bool skip_existing)
{
	struct get_args a;
	struct qv_error e;
	const char **u = calloc(n, sizeof *u);
	FILE *devnull = fopen("/dev/null", "w");
	enum qv_err rc;
	size_t i;

	memset(p, 0, sizeof *p);
	if (u == NULL) {
		if (devnull != NULL)
			(void)fclose(devnull);
		return QV_E_NOMEM;
	}
	for (i = 0; i < n; i++)
		u[i] = urls[i];
	get_args_defaults(&a);
	a.urls = u;
	a.nurls = n;
	a.dir = dir;
	a.auto_rename = !gnu;
	a.gnu_names = gnu;
	a.skip_existing = skip_existing;
	a.dry_run = true;
	rc = get_plan_build(p, &a, devnull != NULL ? devnull : stderr, &e);
	if (devnull != NULL)
		(void)fclose(devnull);
	free(u);
	return rc;
}

static enum qv_err plan_names(struct get_plan *p, char *const *urls, size_t n)
{
	return plan_names_in(p, urls, n, NULL, false, false);
}

/* The documented scheme, the slow way: NAME, else NAME.1.EXT, NAME.2.EXT,
 * ... the first that clashes (equal, or NAME vs NAME.part) with no name
 * given to an earlier URL. */
static bool ref_clash(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	return strcmp(a, b) == 0 ||
	       (la == lb + 5 && strncmp(a, b, lb) == 0 && strcmp(a + lb, ".part") == 0) ||
	       (lb == la + 5 && strncmp(b, a, la) == 0 && strcmp(b + la, ".part") == 0);
}

static void ref_names(char **in, size_t n, char (*out)[FNAME_MAX + 32])
{
	size_t i, j;
	unsigned k;

	for (i = 0; i < n; i++) {
		(void)snprintf(out[i], sizeof out[i], "%s", in[i]);
		for (k = 1;; k++) {
			for (j = 0; j < i && !ref_clash(out[j], out[i]); j++)
				;
			if (j == i)
				break;
			autoname_format(in[i], k, false, out[i], sizeof out[i]);
		}
	}
}

static void t_rename_plan(struct tq *t)
{
	/* a generated name meets literal ones before and after it, and a
	 * .part; a renamed name is renamed again from its own stem */
	static const char *const names[] = {
		"a.1.gif", "a.3.gif.part", "a.gif", "a.gif", "a.gif", "a.2.gif", "a.gif",
		"README", "README", "README.1", "a.2.gif", ".bashrc", ".bashrc",
	};
	static const char *const want[] = {
		"a.1.gif", "a.3.gif.part", "a.gif", "a.2.gif", "a.4.gif", "a.2.1.gif", "a.5.gif",
		"README", "README.1", "README.1.1", "a.2.2.gif", ".bashrc", ".bashrc.1",
	};
	enum { N = sizeof names / sizeof names[0] };
	char urls[N][64];
	char *u[N];
	struct get_plan p;
	size_t i;

	for (i = 0; i < N; i++) {
		(void)snprintf(urls[i], sizeof urls[i], "http://h/%zu/%s", i, names[i]);
		u[i] = urls[i];
	}
	if (TQ_INT(t, plan_names(&p, u, N), QV_OK))
		for (i = 0; i < N; i++)
			TQ_STR(t, p.name[i], want[i]);
	get_plan_clear(&p);
}

/* Lists of URLs that share names, checked against ref_names: stems cut at
 * FNAME_MAX, literal look-alikes of generated names, .part names. */
static void t_rename_same_as_reference(struct tq *t)
{
	enum { N = 400 };
	char (*want)[FNAME_MAX + 32] = calloc(N, sizeof *want);
	char **urls = calloc(N, sizeof *urls), **names = calloc(N, sizeof *names);
	char stem[FNAME_MAX + 1];
	struct get_plan p;
	uint32_t r = 12345;
	size_t i;

	if (!TQ_TRUE(t, urls != NULL && names != NULL && want != NULL))
		goto out;
	memset(stem, 'x', FNAME_MAX - 6);
	stem[FNAME_MAX - 6] = '\0';
	for (i = 0; i < N; i++) {
		char name[FNAME_MAX + 32];

		r = r * 1103515245u + 12345u;
		switch ((r >> 16) % 6) {
		case 0: (void)snprintf(name, sizeof name, "us.gif"); break;
		case 1: (void)snprintf(name, sizeof name, "us.%u.gif", (r >> 8) % 12); break;
		case 2: (void)snprintf(name, sizeof name, "us.%u.gif.part", (r >> 8) % 12); break;
		case 3: (void)snprintf(name, sizeof name, "%s%c.gif", stem, 'a' + (r >> 8) % 3); break;
		case 4: (void)snprintf(name, sizeof name, "%.240s.%u.gif", stem, (r >> 8) % 12); break;
		default: (void)snprintf(name, sizeof name, "README"); break;
		}
		names[i] = strdup(name);
		urls[i] = malloc(strlen(name) + 32);
		if (!TQ_TRUE(t, names[i] != NULL && urls[i] != NULL))
			goto out;
		(void)snprintf(urls[i], strlen(name) + 32, "http://h/%zu/%s", i, name);
	}
	ref_names(names, N, want);
	if (TQ_INT(t, plan_names(&p, urls, N), QV_OK))
		for (i = 0; i < N; i++)
			if (!TQ_STR(t, p.name[i], want[i]))
				break;
	get_plan_clear(&p);
out:
	for (i = 0; urls != NULL && names != NULL && i < N; i++) {
		free(urls[i]);
		free(names[i]);
	}
	free(urls);
	free(names);
	free(want);
}

/* Planning is linear in the list whatever its names: count the names
 * looked up (never time them).  One name for every URL; and 300 names
 * that differ only past the point where a renamed stem is cut, each
 * twice, so every rename of them competes for the same NAME.K.EXT. */
static void t_rename_linear(struct tq *t)
{
	enum { N = 4000, M = 300 };
	char **urls = calloc(N, sizeof *urls);
	char stem[FNAME_MAX + 1];
	struct get_plan p;
	size_t i;

	if (!TQ_TRUE(t, urls != NULL))
		return;
	for (i = 0; i < N; i++) {
		urls[i] = malloc(FNAME_MAX + 64);
		if (!TQ_TRUE(t, urls[i] != NULL))
			goto out;
		(void)snprintf(urls[i], FNAME_MAX + 64, "http://h/download/%zu/us.gif", i);
	}
	if (TQ_INT(t, plan_names(&p, urls, N), QV_OK)) {
		TQ_STR(t, p.name[N - 1], "us.3999.gif");
		TQ_TRUE(t, p.checks <= 4 * (size_t)N);
	}
	get_plan_clear(&p);
	/* FNAME_MAX bytes: any NAME.K.EXT cuts the two letters off */
	memset(stem, 'x', FNAME_MAX - 6);
	stem[FNAME_MAX - 6] = '\0';
	for (i = 0; i < 2 * M; i++)
		(void)snprintf(urls[i], FNAME_MAX + 64, "http://h/%zu/%s%c%c.gif", i, stem,
			       'a' + (int)(i % M / 26), 'a' + (int)(i % M % 26));
	if (TQ_INT(t, plan_names(&p, urls, 2 * M), QV_OK))
		TQ_TRUE(t, p.checks <= 4 * 2 * (size_t)M);
	get_plan_clear(&p);
out:
	for (i = 0; i < N; i++)
		free(urls[i]);
	free(urls);
}

/* A temporary directory with files (and one directory) named names. */
static bool t_dir_with(char *dir, size_t cap, const char *const *names, size_t n)
{
	char path[256];
	size_t i;

	(void)snprintf(dir, cap, "/tmp/qv_names_XXXXXX");
	if (mkdtemp(dir) == NULL)
		return false;
	for (i = 0; i < n; i++) {
		FILE *f;

		(void)snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (strcmp(names[i], "b") == 0) {
			if (mkdir(path, 0755) != 0)
				return false;
			continue;
		}
		f = fopen(path, "w");
		if (f == NULL)
			return false;
		(void)fclose(f);
	}
	return true;
}

static void t_dir_remove(const char *dir, const char *const *names, size_t n)
{
	char path[256];
	size_t i;

	for (i = 0; i < n; i++) {
		(void)snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		(void)remove(path);
	}
	(void)rmdir(dir);
}

/* wget's names: NAME.1, NAME.2 ... at the end of the name, past the list's
 * earlier names and what the directory holds; with -nc the files there
 * are skipped instead. */
static void t_gnu_names(struct tq *t)
{
	static const char *const there[] = {"a.txt", "a.txt.1", "b"};
	static char u0[] = "http://h/1/a.txt", u1[] = "http://h/2/a.txt",
		    u2[] = "http://h/c.tar.gz", u3[] = "http://h/3/c.tar.gz", u4[] = "http://h/b",
		    u5[] = "http://h/x/";
	char *urls[] = {u0, u1, u2, u3, u4, u5};
	static const char *const want[] = {"a.txt.2", "a.txt.3", "c.tar.gz",
					   "c.tar.gz.1", "b.1", "index.html"};
	static const char *const want_nc[] = {"a.txt", "a.txt.1", "c.tar.gz",
					      "c.tar.gz.1", "b", "index.html"};
	enum { N = sizeof urls / sizeof urls[0] };
	char dir[64];
	struct get_plan p;
	size_t i;

	if (!TQ_TRUE(t, t_dir_with(dir, sizeof dir, there, 3)))
		return;
	if (TQ_INT(t, plan_names_in(&p, urls, N, dir, true, false), QV_OK))
		for (i = 0; i < N; i++)
			TQ_STR(t, p.name[i], want[i]);
	TQ_INT(t, p.nskip, 0);
	get_plan_clear(&p);
	if (TQ_INT(t, plan_names_in(&p, urls, N, dir, true, true), QV_OK)) {
		for (i = 0; i < N; i++)
			TQ_STR(t, p.name[i], want_nc[i]);
		TQ_TRUE(t, p.skip[0] && p.skip[1] && !p.skip[2] && !p.skip[3] && !p.skip[5]);
	}
	get_plan_clear(&p);
	t_dir_remove(dir, there, 3);
}

/* GNU names stay linear in the list and the files found: 4,000 URLs of one
 * name over a directory that has it and its first 99 numbers. */
static void t_gnu_names_linear(struct tq *t)
{
	enum { N = 4000, F = 100 };
	char **urls = calloc(N, sizeof *urls);
	char *names[F], dir[64], name[32];
	struct get_plan p;
	size_t i;

	if (!TQ_TRUE(t, urls != NULL))
		return;
	for (i = 0; i < F; i++) {
		(void)snprintf(name, sizeof name, i == 0 ? "us.gif" : "us.gif.%zu", i);
		names[i] = strdup(name);
	}
	for (i = 0; i < N; i++) {
		urls[i] = malloc(64);
		if (urls[i] != NULL)
			(void)snprintf(urls[i], 64, "http://h/%zu/us.gif", i);
	}
	if (TQ_TRUE(t, t_dir_with(dir, sizeof dir, (const char *const *)names, F)) &&
	    TQ_INT(t, plan_names_in(&p, urls, N, dir, true, false), QV_OK)) {
		TQ_STR(t, p.name[0], "us.gif.100");
		TQ_STR(t, p.name[N - 1], "us.gif.4099");
		TQ_TRUE(t, p.checks <= 4 * (size_t)N + F);
	}
	get_plan_clear(&p);
	t_dir_remove(dir, (const char *const *)names, F);
	for (i = 0; i < F; i++)
		free(names[i]);
	for (i = 0; i < N; i++)
		free(urls[i]);
	free(urls);
}

static void t_list(struct tq *t)
{
	const char *text = "# a comment\n"
			   "http://h/a\n"
			   "\n"
			   "   \t\n"
			   "  http://h/b  \r\n"
			   "   # indented comment\n"
			   "http://h/c#frag\n"
			   "http://h/d";
	FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	struct url_list l;
	struct qv_error e;

	if (!TQ_TRUE(t, f != NULL))
		return;
	url_list_init(&l);
	TQ_INT(t, url_list_read(&l, f, "list", &e), QV_OK);
	(void)fclose(f);
	if (TQ_INT(t, l.count, 4)) {
		TQ_STR(t, l.url[0], "http://h/a");
		TQ_INT(t, l.line[0], 2);
		TQ_STR(t, l.url[1], "http://h/b");
		TQ_INT(t, l.line[1], 5);
		TQ_STR(t, l.url[2], "http://h/c#frag");
		TQ_STR(t, l.url[3], "http://h/d");
		TQ_INT(t, l.line[3], 8);
	}
	url_list_clear(&l);
	url_list_clear(NULL);
}

static void t_list_long_line(struct tq *t)
{
	size_t n = 20000;
	char *text = malloc(n + 1);
	FILE *f;
	struct url_list l;
	struct qv_error e;

	if (!TQ_TRUE(t, text != NULL))
		return;
	memset(text, 'a', n);
	text[n] = '\0';
	f = fmemopen(text, n, "r");
	url_list_init(&l);
	TQ_INT(t, url_list_read(&l, f, "big", &e), QV_E_USAGE);
	TQ_TRUE(t, strstr(e.msg, "big:1:") != NULL);
	(void)fclose(f);
	url_list_clear(&l);
	free(text);
}

void suite_cli_names(struct tq *t)
{
	tq_run(t, "clashes incl. .part", t_clash);
	tq_run(t, "5000 names", t_many);
	tq_run(t, "auto-rename scheme", t_rename);
	tq_run(t, "auto-rename of a list", t_rename_plan);
	tq_run(t, "auto-rename as the reference", t_rename_same_as_reference);
	tq_run(t, "auto-rename linear in the list", t_rename_linear);
	tq_run(t, "wget: GNU names past the directory", t_gnu_names);
	tq_run(t, "wget: GNU names linear", t_gnu_names_linear);
	tq_run(t, "URL list: comments, blanks, spaces", t_list);
	tq_run(t, "URL list: overlong line refused", t_list_long_line);
}
