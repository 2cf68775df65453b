/* tq.h - quiver's tiny unit-test harness (no framework dependency).
 *
 * A test file tests/unit/test_NAME.c defines `void suite_NAME(struct tq *t)`
 * which calls tq_run() once per test case.  build.zig finds the files and
 * generates the suite table, so adding a file is all it takes.  A case passes
 * when none of its checks failed.  The runner ends with `N passed, N failed`;
 * `--count [FILTER]` only counts the cases. */
#ifndef QV_TESTS_TQ_H
#define QV_TESTS_TQ_H

#include <stddef.h>
#include <stdint.h>

struct tq {
	int passed;
	int failed;
	int skipped;
	int case_failed;        /* checks failed in the current case */
	int case_skipped;
	const char *suite;
	const char *filter;     /* run only cases whose "suite/case" contains it */
	int count_only;         /* count the cases (in skipped), run none */
};

typedef void (*tq_case_fn)(struct tq *t);

struct tq_suite {
	const char *name;
	void (*fn)(struct tq *t);
};

void tq_run(struct tq *t, const char *name, tq_case_fn fn);
/* Mark the running case skipped (it then counts neither passed nor failed). */
void tq_skip(struct tq *t, const char *why);

/* Each check records a failure with its location and returns 1 when it held,
 * so a case can stop early: `if (!TQ_TRUE(t, p != NULL)) return;`. */
int tq_check(struct tq *t, int ok, const char *expr, const char *file, int line);
int tq_check_int(struct tq *t, long long got, long long want, const char *expr, const char *file,
		 int line);
int tq_check_str(struct tq *t, const char *got, const char *want, const char *expr,
		 const char *file, int line);
int tq_check_mem(struct tq *t, const void *got, size_t got_len, const void *want, size_t want_len,
		 const char *expr, const char *file, int line);

#define TQ_TRUE(t, cond) tq_check((t), (cond) ? 1 : 0, #cond, __FILE__, __LINE__)
#define TQ_INT(t, got, want) tq_check_int((t), (long long)(got), (long long)(want), #got, __FILE__, __LINE__)
#define TQ_STR(t, got, want) tq_check_str((t), (got), (want), #got, __FILE__, __LINE__)
#define TQ_MEM(t, got, glen, want, wlen) \
	tq_check_mem((t), (got), (glen), (want), (wlen), #got, __FILE__, __LINE__)

/* Copy len bytes so that they end exactly at an unreadable guard page, as
 * picohttpparser's tests do: any read past the end faults.  Free with
 * tq_guard_free().  Returns NULL on failure. */
uint8_t *tq_guard_dup(const void *data, size_t len);
void tq_guard_free(uint8_t *p, size_t len);

#endif
