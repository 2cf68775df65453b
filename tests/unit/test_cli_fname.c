/* test_cli_fname.c - name sanitising for get and name checking for flags3:
 * path traversal, control bytes, overlong names, percent-encoded slashes. */
#include <string.h>

#include "cli/fname.h"
#include "cli/flags/flags2_run.h"
#include "tq.h"

void suite_cli_fname(struct tq *t);

static const char *from_target(const char *target, char *buf)
{
	(void)fname_from_target(target, strlen(target), buf, FNAME_MAX + 1);
	return buf;
}

static void t_last_segment(struct tq *t)
{
	char b[FNAME_MAX + 1];

	TQ_STR(t, from_target("/flags/br/br.gif", b), "br.gif");
	TQ_STR(t, from_target("/a/b.tar.gz?x=1/2#f", b), "b.tar.gz");
	TQ_STR(t, from_target("/", b), "index.html");
	TQ_STR(t, from_target("/dir/", b), "index.html");
	TQ_STR(t, from_target("/dir/?q=a/b", b), "index.html");
	TQ_STR(t, from_target("/caf%C3%A9.txt", b), "caf\xc3\xa9.txt");
	TQ_STR(t, from_target("/a%20b.txt", b), "a b.txt");
}

static void t_traversal(struct tq *t)
{
	char b[FNAME_MAX + 1];

	/* percent-encoded slashes and dots never make a path */
	TQ_STR(t, from_target("/x/..%2F..%2Fetc%2Fpasswd", b), ".._.._etc_passwd");
	TQ_STR(t, from_target("/x/%2e%2e", b), "index.html");
	TQ_STR(t, from_target("/x/%2E", b), "index.html");
	TQ_STR(t, from_target("/x/..%5C..%5Cwin.ini", b), ".._.._win.ini");
	TQ_STR(t, from_target("/x/%2Fetc%2Fshadow", b), "_etc_shadow");
	TQ_STR(t, from_target("/x/...", b), "...");
}

static void t_control_bytes(struct tq *t)
{
	char b[FNAME_MAX + 1];

	TQ_STR(t, from_target("/a%00b", b), "a_b");
	TQ_STR(t, from_target("/a%0A%0Db", b), "a__b");
	TQ_STR(t, from_target("/%1B%5B31mred", b), "_[31mred");
	TQ_STR(t, from_target("/del%7F", b), "del_");
	/* C1 control U+009B (CSI) as UTF-8, and a bare 0x9B byte */
	TQ_STR(t, from_target("/a%C2%9Bb", b), "a_b");
	TQ_STR(t, from_target("/a%9Bb", b), "a_b");
	/* U+202E RIGHT-TO-LEFT OVERRIDE ("gpj.exe" shown as "exe.jpg") */
	TQ_STR(t, from_target("/%E2%80%AEgpj.exe", b), "_gpj.exe");
	/* overlong encoding of '/' */
	TQ_STR(t, from_target("/a%C0%AFb", b), "a__b");
}

static void t_overlong(struct tq *t)
{
	char target[1024], b[FNAME_MAX + 1];
	size_t i, len;

	target[0] = '/';
	for (i = 1; i < 400; i++)
		target[i] = 'x';
	memcpy(target + 400, ".tar.gz", 8);
	len = fname_from_target(target, strlen(target), b, sizeof b);
	TQ_INT(t, len, FNAME_MAX);
	TQ_INT(t, strlen(b), FNAME_MAX);
	TQ_TRUE(t, strcmp(b + FNAME_MAX - 3, ".gz") == 0);
	/* multi-byte characters are not split */
	target[0] = '/';
	len = 1;
	for (i = 0; i < 150; i++) {
		memcpy(target + len, "%C3%A9", 6);
		len += 6;
	}
	target[len] = '\0';
	len = fname_from_target(target, len, b, sizeof b);
	TQ_TRUE(t, len <= FNAME_MAX);
	TQ_INT(t, len % 2, 0);
	TQ_INT(t, fname_check(b, len, NULL), QV_OK);
}

static void t_check(struct tq *t)
{
	struct qv_error e;

	TQ_INT(t, fname_check("Brazil.gif", 10, &e), QV_OK);
	TQ_INT(t, fname_check("C\xc3\xb4te_d'Ivoire.gif", 18, &e), QV_OK);
	TQ_INT(t, fname_check("", 0, &e), QV_E_NAME);
	TQ_INT(t, fname_check("..", 2, &e), QV_E_NAME);
	TQ_INT(t, fname_check(".", 1, &e), QV_E_NAME);
	TQ_INT(t, fname_check(".hidden", 7, &e), QV_E_NAME);
	TQ_INT(t, fname_check("a/b", 3, &e), QV_E_NAME);
	TQ_INT(t, fname_check("a\\b", 3, &e), QV_E_NAME);
	TQ_INT(t, fname_check("a\nb", 3, &e), QV_E_NAME);
	TQ_INT(t, fname_check("a\0b", 3, &e), QV_E_NAME);
	TQ_INT(t, fname_check("a\xff", 2, &e), QV_E_NAME);
	TQ_INT(t, fname_check("a\xe2\x80\xae" "b", 5, &e), QV_E_NAME);
}

static void t_flags3_name(struct tq *t)
{
	char out[FNAME_MAX + 1], longname[400];
	struct qv_error e;

	TQ_INT(t, flags3_file_name("Bosnia and Herzegovina", 22, out, sizeof out, &e), QV_OK);
	TQ_STR(t, out, "Bosnia_and_Herzegovina.gif");
	TQ_INT(t, flags3_file_name("../../etc/passwd", 16, out, sizeof out, &e), QV_E_NAME);
	TQ_INT(t, flags3_file_name("a/b", 3, out, sizeof out, &e), QV_E_NAME);
	TQ_INT(t, flags3_file_name("", 0, out, sizeof out, &e), QV_E_NAME);
	TQ_INT(t, flags3_file_name("x\x1b[2J", 5, out, sizeof out, &e), QV_E_NAME);
	memset(longname, 'a', sizeof longname);
	TQ_INT(t, flags3_file_name(longname, 300, out, sizeof out, &e), QV_E_NAME);
	TQ_INT(t, flags3_file_name(longname, FNAME_MAX - 4, out, sizeof out, &e), QV_OK);
	TQ_INT(t, flags3_file_name(longname, FNAME_MAX - 3, out, sizeof out, &e), QV_E_NAME);
}

void suite_cli_fname(struct tq *t)
{
	tq_run(t, "last path segment", t_last_segment);
	tq_run(t, "path traversal", t_traversal);
	tq_run(t, "control bytes", t_control_bytes);
	tq_run(t, "overlong names", t_overlong);
	tq_run(t, "fname_check", t_check);
	tq_run(t, "flags3 file name", t_flags3_name);
}
