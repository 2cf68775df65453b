/* test_cli_stream.c - the pieces of a streamed get run (--name-by index):
 * names from line numbers, the list read one line at a time with the same
 * lines url_list_read takes (and the same line numbers), and the
 * --summary file written whole. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/get/index_name.h"
#include "cli/get/task_summary.h"
#include "cli/get/urllist.h"
#include "tq.h"

void suite_cli_stream(struct tq *t);

static void t_index_name(struct tq *t)
{
	static const struct {
		uint64_t line;
		const char *target, *want;
	} cases[] = {
		{1, "/a/cat.jpg", "000000001.jpg"},
		{1234, "/img/cat.JPEG?s=2#x", "000001234.JPEG"},
		{7, "/", "000000007.html"},             /* index.html, as get names it */
		{7, "/dir/", "000000007.html"},
		{8, "/archive.tar.gz", "000000008.gz"},
		{9, "/noext", "000000009"},
		{10, "/.profile", "000000010"},         /* a leading dot is no extension */
		{11, "/x.verylongext", "000000011"},     /* 11 bytes: not an extension */
		{12, "/x.abcdefgh", "000000012.abcdefgh"}, /* 8: the most kept */
		{13, "/x.j%70g", "000000013.jpg"},      /* percent-decoded first */
		{14, "/x.jp-g", "000000014"},           /* letters and digits only */
		{15, "/x.%2e%2e", "000000015"},
		{16, "/x.", "000000016"},
		{1000000000, "/a.png", "1000000000.png"}, /* past 9 digits: still unique */
		{UINT64_MAX, "/a.png", "18446744073709551615.png"},
	};
	char out[INDEX_NAME_CAP];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = index_name(cases[i].line, cases[i].target, strlen(cases[i].target), out);

		TQ_STR(t, out, cases[i].want);
		TQ_INT(t, n, strlen(cases[i].want));
	}
}

/* url_reader_next gives the lines url_list_read keeps, with their numbers. */
static void t_reader(struct tq *t)
{
	const char *text = "# a comment\n"
			   "http://h/a\n"
			   "\n"
			   "   \t\n"
			   "  http://h/b  \r\n"
			   "   # indented comment\n"
			   "http://h/c#frag\n"
			   "http://h/d";
	static const char *const want[] = {"http://h/a", "http://h/b", "http://h/c#frag",
					   "http://h/d"};
	static const unsigned lines[] = {2, 5, 7, 8};
	FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	struct url_reader *r = malloc(sizeof *r);
	struct qv_error e;
	const char *url;
	size_t len, n = 0;

	if (!TQ_TRUE(t, f != NULL && r != NULL)) {
		if (f != NULL)
			(void)fclose(f);
		free(r);
		return;
	}
	url_reader_init(r, f, "list");
	while (TQ_INT(t, url_reader_next(r, &url, &len, &e), QV_OK) && url != NULL && n < 4) {
		TQ_STR(t, url, want[n]);
		TQ_INT(t, len, strlen(want[n]));
		TQ_INT(t, r->line, lines[n]);
		n++;
	}
	TQ_INT(t, n, 4);
	TQ_TRUE(t, url == NULL);
	/* at the end it stays at the end */
	TQ_INT(t, url_reader_next(r, &url, &len, &e), QV_OK);
	TQ_TRUE(t, url == NULL);
	(void)fclose(f);
	free(r);
}

static void t_reader_errors(struct tq *t)
{
	const char nul[] = "http://h/a\nhttp://h/\0b\n";
	struct url_reader *r = malloc(sizeof *r);
	char *big = malloc(20001);
	struct qv_error e;
	const char *url;
	size_t len;
	FILE *f;

	if (!TQ_TRUE(t, r != NULL && big != NULL)) {
		free(r);
		free(big);
		return;
	}
	f = fmemopen((void *)(uintptr_t)nul, sizeof nul - 1, "r");
	if (TQ_TRUE(t, f != NULL)) {
		url_reader_init(r, f, "nul");
		TQ_INT(t, url_reader_next(r, &url, &len, &e), QV_OK);
		TQ_INT(t, url_reader_next(r, &url, &len, &e), QV_E_USAGE);
		TQ_STR(t, e.msg, "nul:2: NUL byte in the line");
		(void)fclose(f);
	}
	memset(big, 'a', 20000);
	big[20000] = '\0';
	f = fmemopen(big, 20000, "r");
	if (TQ_TRUE(t, f != NULL)) {
		url_reader_init(r, f, "big");
		TQ_INT(t, url_reader_next(r, &url, &len, &e), QV_E_USAGE);
		TQ_TRUE(t, strstr(e.msg, "big:1: line longer than") != NULL);
		(void)fclose(f);
	}
	free(big);
	free(r);
}

static char *t_slurp(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	(void)fclose(f);
	return buf;
}

static void t_summary(struct tq *t)
{
	char dir[] = "/tmp/qv-summary-XXXXXX", path[64], tmp[96], buf[512];
	struct task_summary s;
	struct qv_error e;
	struct stat st;

	if (!TQ_TRUE(t, mkdtemp(dir) != NULL))
		return;
	(void)snprintf(path, sizeof path, "%s/s.json", dir);
	memset(&s, 0, sizeof s);
	s.have_shard = true;
	s.shard.k = 3;
	s.shard.n = 16;
	s.urls = 625;
	s.t.ok = 600;
	s.t.skipped = 20;
	s.t.failed = 4;
	s.t.interrupted = 1;
	s.t.bytes = 1234567;
	s.t.secs = 12.3456;
	s.exit_status = 1;
	TQ_INT(t, task_summary_write(path, &s, &e), QV_OK);
	TQ_STR(t, t_slurp(path, buf, sizeof buf),
	       "{\"shard\":\"3/16\",\"urls\":625,\"fetched\":600,\"skipped\":20,\"failed\":4,"
	       "\"cut_short\":1,\"bytes\":1234567,\"seconds\":12.346,\"exit\":1,\"error\":null}\n");
	/* replaced whole, the temp file gone */
	memset(&s, 0, sizeof s);
	s.exit_status = 2;
	(void)snprintf(s.error, sizeof s.error, "bad \"shard\"\n");
	TQ_INT(t, task_summary_write(path, &s, &e), QV_OK);
	TQ_STR(t, t_slurp(path, buf, sizeof buf),
	       "{\"shard\":null,\"urls\":0,\"fetched\":0,\"skipped\":0,\"failed\":0,"
	       "\"cut_short\":0,\"bytes\":0,\"seconds\":0.000,\"exit\":2,"
	       "\"error\":\"bad \\\"shard\\\"\\n\"}\n");
	(void)snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
	TQ_TRUE(t, stat(tmp, &st) != 0);
	/* a missing directory is made (a job array's tasks share one) */
	(void)snprintf(tmp, sizeof tmp, "%s/sum/s.json", dir);
	TQ_INT(t, task_summary_write(tmp, &s, &e), QV_OK);
	TQ_TRUE(t, stat(tmp, &st) == 0);
	(void)unlink(tmp);
	(void)snprintf(tmp, sizeof tmp, "%s/sum", dir);
	(void)rmdir(tmp);
	/* one that cannot be: an error naming the file */
	(void)snprintf(tmp, sizeof tmp, "%s/s.json/x.json", dir);
	TQ_INT(t, task_summary_write(tmp, &s, &e), QV_E_FILE);
	TQ_TRUE(t, strstr(e.msg, "s.json/x.json") != NULL);
	(void)unlink(path);
	(void)rmdir(dir);
}

void suite_cli_stream(struct tq *t)
{
	tq_run(t, "--name-by index names", t_index_name);
	tq_run(t, "list read line by line", t_reader);
	tq_run(t, "list reader errors", t_reader_errors);
	tq_run(t, "--summary file", t_summary);
}
