/* test_cli_names.c - output-name clashes (incl. NAME vs NAME.part), the
 * --auto-rename scheme, and URL list reading. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/fname.h"
#include "cli/get/get_plan.h"
#include "cli/get/nameset.h"
#include "cli/get/urllist.h"
#include "tq.h"

void suite_cli_names(struct tq *t);

static void t_clash(struct tq *t)
{
	const char *names[] = {"a.gif", "b.gif", "a.gif", "c", "c.part", "d.part", "d"};
	struct nameset s;
	struct qv_error e;

	if (!TQ_INT(t, nameset_init(&s, names, 7, &e), QV_OK))
		return;
	TQ_TRUE(t, nameset_clash(&s, names[0]) == NAMESET_NONE);
	TQ_TRUE(t, nameset_add(&s, 0));
	TQ_TRUE(t, nameset_clash(&s, names[1]) == NAMESET_NONE);
	TQ_TRUE(t, nameset_add(&s, 1));
	TQ_INT(t, nameset_clash(&s, names[2]), 0);
	TQ_TRUE(t, nameset_clash(&s, names[3]) == NAMESET_NONE);
	TQ_TRUE(t, nameset_add(&s, 3));
	TQ_INT(t, nameset_clash(&s, names[4]), 3);      /* c.part is c's temp file */
	TQ_TRUE(t, nameset_add(&s, 5));
	TQ_INT(t, nameset_clash(&s, names[6]), 5);      /* d's temp file is taken */
	TQ_TRUE(t, nameset_clash(&s, "a.gi") == NAMESET_NONE);
	nameset_free(&s);
	nameset_free(NULL);
}

static void t_many(struct tq *t)
{
	enum { N = 5000 };
	char **names = calloc(N, sizeof *names);
	struct nameset s;
	struct qv_error e;
	size_t i;

	if (!TQ_TRUE(t, names != NULL))
		return;
	for (i = 0; i < N; i++) {
		names[i] = malloc(16);
		(void)snprintf(names[i], 16, "f%zu", i % (N / 2));
	}
	if (TQ_INT(t, nameset_init(&s, (const char *const *)names, N, &e), QV_OK)) {
		size_t clashes = 0;

		for (i = 0; i < N; i++) {
			if (nameset_clash(&s, names[i]) != NAMESET_NONE)
				clashes++;
			else
				TQ_TRUE(t, nameset_add(&s, i));
		}
		TQ_INT(t, clashes, N / 2);
		nameset_free(&s);
	}
	for (i = 0; i < N; i++)
		free(names[i]);
	free(names);
}

static void t_rename(struct tq *t)
{
	char out[FNAME_MAX + 32], longname[FNAME_MAX + 1];

	get_plan_rename("a.gif", 1, out, sizeof out);
	TQ_STR(t, out, "a.1.gif");
	get_plan_rename("a.tar.gz", 12, out, sizeof out);
	TQ_STR(t, out, "a.tar.12.gz");
	get_plan_rename("README", 2, out, sizeof out);
	TQ_STR(t, out, "README.2");
	get_plan_rename(".bashrc", 1, out, sizeof out);
	TQ_STR(t, out, ".bashrc.1");
	memset(longname, 'x', FNAME_MAX - 4);
	memcpy(longname + FNAME_MAX - 4, ".gif", 5);
	get_plan_rename(longname, 99, out, sizeof out);
	TQ_INT(t, strlen(out), FNAME_MAX);
	TQ_TRUE(t, strcmp(out + FNAME_MAX - 7, ".99.gif") == 0);
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
	url_list_free(&l);
	url_list_free(NULL);
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
	url_list_free(&l);
	free(text);
}

void suite_cli_names(struct tq *t)
{
	tq_run(t, "clashes incl. .part", t_clash);
	tq_run(t, "5000 names", t_many);
	tq_run(t, "auto-rename scheme", t_rename);
	tq_run(t, "URL list: comments, blanks, spaces", t_list);
	tq_run(t, "URL list: overlong line refused", t_list_long_line);
}
