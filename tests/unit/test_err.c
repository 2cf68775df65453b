/* test_err.c - the error table stays in step with enum qv_err. */
#include <string.h>

#include "tq.h"
#include "util/err.h"

void suite_err(struct tq *t);

static void test_every_code_has_a_name(struct tq *t)
{
	int c;

	for (c = 0; c < (int)QV_E__COUNT; c++) {
		TQ_TRUE(t, strcmp(qv_err_name((enum qv_err)c), "unknown") != 0);
		TQ_TRUE(t, strcmp(qv_err_text((enum qv_err)c), "unknown error") != 0);
	}
	TQ_STR(t, qv_err_name(QV_E_CONNECT_TIMEOUT), "connect_timeout");
	TQ_STR(t, qv_err_name(QV_E__COUNT), "unknown");
}

static void test_set_formats_and_sys_appends_strerror(struct tq *t)
{
	struct qv_error e;

	TQ_INT(t, qv_error_set(&e, QV_E_TRUNCATED, "truncated: got %d of %d bytes", 3, 10), QV_E_TRUNCATED);
	TQ_STR(t, e.msg, "truncated: got 3 of 10 bytes");
	TQ_INT(t, qv_error_sys(&e, QV_E_FILE, 2, "cannot open %s", "x"), QV_E_FILE);
	TQ_TRUE(t, strncmp(e.msg, "cannot open x: ", 15) == 0);
	TQ_INT(t, e.sys_errno, 2);
	qv_error_clear(&e);
	TQ_INT(t, e.code, QV_OK);
	TQ_STR(t, e.msg, "");
	TQ_INT(t, qv_error_set(NULL, QV_E_NOMEM, "x"), QV_E_NOMEM);
}

void suite_err(struct tq *t)
{
	tq_run(t, "every code has a name", test_every_code_has_a_name);
	tq_run(t, "set formats, sys appends strerror", test_set_formats_and_sys_appends_strerror);
}
