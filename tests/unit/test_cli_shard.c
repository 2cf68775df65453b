/* test_cli_shard.c - the --shard key (FNV-1a 64 + fmix64 test vectors), K/N and
 * auto parsing from batch-system variables, and that 16 shards of 10,000
 * URLs cover each URL exactly once. */
#include <stdio.h>
#include <string.h>

#include "cli/get/shard.h"
#include "tq.h"
#include "util/hash.h"

void suite_cli_shard(struct tq *t);

static void t_vectors(struct tq *t)
{
	/* the documented vectors (shard.h, --help, the man page, README) */
	const uint64_t b = HASH_FNV64_OFFSET;

	TQ_TRUE(t, hash_fnv1a64(b, "", 0) == 0xcbf29ce484222325ull);
	TQ_TRUE(t, hash_fnv1a64(b, "a", 1) == 0xaf63dc4c8601ec8cull);
	TQ_TRUE(t, hash_fnv1a64(b, "foobar", 6) == 0x85944171f73967e8ull);
	TQ_TRUE(t, hash_fnv1a64(b, "http://example.com/a.gif", 24) == 0xa487075ce60d6e24ull);
	TQ_TRUE(t, shard_key("", 0) == 0xefd01f60ba992926ull);
	TQ_TRUE(t, shard_key("a", 1) == 0x82a2a958a9bece5bull);
	TQ_TRUE(t, shard_key("foobar", 6) == 0x2c22194922d1672bull);
	TQ_TRUE(t, shard_key("http://example.com/a.gif", 24) == 0x16218a6ed172314aull);
	TQ_INT(t, shard_key("http://example.com/a.gif", 24) % 16, 10);
}

/* URL i of list `kind`.  Kinds 1 to 3 are the ones plain FNV-1a % 16
 * splits badly (a number used twice, a short URL). */
static int make_url(char *out, size_t cap, int kind, unsigned i)
{
	switch (kind) {
	case 0: return snprintf(out, cap, "https://example.com/files/%u.bin", i);
	case 1: return snprintf(out, cap, "https://example.com/data/%u/file-%u.bin", i, i);
	case 2: return snprintf(out, cap, "http://h/%08u/%08u.gif", i, i);
	default: return snprintf(out, cap, "s3://b/%u", i);
	}
}

/* 16 shards of 10,000 URLs: each URL in exactly one, about 625 per shard. */
static void cover(struct tq *t, int kind)
{
	static unsigned char hits[10000];
	unsigned per[16] = {0};
	char url[96];
	struct shard s;
	unsigned i, k;

	memset(hits, 0, sizeof hits);
	s.n = 16;
	s.source = "test";
	for (k = 0; k < 16; k++) {
		s.k = k;
		for (i = 0; i < 10000; i++) {
			int n = make_url(url, sizeof url, kind, i);

			if (shard_pick(&s, url, (size_t)n)) {
				hits[i]++;
				per[k]++;
			}
		}
	}
	for (i = 0; i < 10000; i++)
		if (!TQ_INT(t, hits[i], 1))
			return;
	/* and the split is even enough to be useful: 625 expected per shard */
	for (k = 0; k < 16; k++)
		TQ_TRUE(t, per[k] > 500 && per[k] < 750);
}

static void t_cover(struct tq *t)
{
	int kind;

	for (kind = 0; kind < 4; kind++)
		cover(t, kind);
}

static const char *no_env(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return NULL;
}

static void t_parse(struct tq *t)
{
	struct shard s;
	struct qv_error e;

	TQ_INT(t, shard_parse(&s, "3/16", 0, no_env, NULL, &e), QV_OK);
	TQ_INT(t, s.k, 3);
	TQ_INT(t, s.n, 16);
	TQ_INT(t, shard_parse(&s, "0/1", 0, no_env, NULL, &e), QV_OK);
	TQ_INT(t, shard_parse(&s, "16/16", 0, no_env, NULL, &e), QV_E_USAGE);
	TQ_INT(t, shard_parse(&s, "1/0", 0, no_env, NULL, &e), QV_E_USAGE);
	TQ_INT(t, shard_parse(&s, "-1/4", 0, no_env, NULL, &e), QV_E_USAGE);
	TQ_INT(t, shard_parse(&s, "1/", 0, no_env, NULL, &e), QV_E_USAGE);
	TQ_INT(t, shard_parse(&s, "/4", 0, no_env, NULL, &e), QV_E_USAGE);
	TQ_INT(t, shard_parse(&s, "1/4x", 0, no_env, NULL, &e), QV_E_USAGE);
	TQ_INT(t, shard_parse(&s, "99999999999/4", 0, no_env, NULL, &e), QV_E_USAGE);
	TQ_INT(t, shard_parse(&s, "auto", 0, no_env, NULL, &e), QV_E_USAGE);
}

/* A fake environment: "NAME=value" strings. */
static const char *fake_env(void *ctx, const char *name)
{
	const char *const *v = ctx;
	size_t len = strlen(name);

	for (; *v != NULL; v++)
		if (strncmp(*v, name, len) == 0 && (*v)[len] == '=')
			return *v + len + 1;
	return NULL;
}

static void t_auto(struct tq *t)
{
	const char *slurm[] = {"SLURM_ARRAY_TASK_ID=7", "SLURM_ARRAY_TASK_COUNT=8", NULL};
	const char *slurm_min[] = {"SLURM_ARRAY_TASK_ID=12", "SLURM_ARRAY_TASK_MIN=10",
				   "SLURM_ARRAY_TASK_COUNT=4", NULL};
	const char *aws[] = {"AWS_BATCH_JOB_ARRAY_INDEX=2", "AWS_BATCH_JOB_ARRAY_SIZE=5", NULL};
	const char *aws_nosize[] = {"AWS_BATCH_JOB_ARRAY_INDEX=2", NULL};
	const char *k8s[] = {"JOB_COMPLETION_INDEX=3", NULL};
	const char *bad[] = {"JOB_COMPLETION_INDEX=x", NULL};
	struct shard s;
	struct qv_error e;

	TQ_INT(t, shard_parse(&s, "auto", 0, fake_env, slurm, &e), QV_OK);
	TQ_TRUE(t, s.k == 7 && s.n == 8);
	TQ_INT(t, shard_parse(&s, "auto", 0, fake_env, slurm_min, &e), QV_OK);
	TQ_TRUE(t, s.k == 2 && s.n == 4);
	TQ_INT(t, shard_parse(&s, "auto", 0, fake_env, aws, &e), QV_OK);
	TQ_TRUE(t, s.k == 2 && s.n == 5);
	TQ_INT(t, shard_parse(&s, "auto", 0, fake_env, aws_nosize, &e), QV_E_USAGE);
	TQ_INT(t, shard_parse(&s, "auto", 6, fake_env, aws_nosize, &e), QV_OK);
	TQ_TRUE(t, s.k == 2 && s.n == 6);
	TQ_INT(t, shard_parse(&s, "auto", 0, fake_env, k8s, &e), QV_E_USAGE);
	TQ_TRUE(t, strstr(e.msg, "--shards") != NULL);
	TQ_INT(t, shard_parse(&s, "auto", 4, fake_env, k8s, &e), QV_OK);
	TQ_TRUE(t, s.k == 3 && s.n == 4);
	TQ_INT(t, shard_parse(&s, "auto", 3, fake_env, k8s, &e), QV_E_USAGE);
	TQ_INT(t, shard_parse(&s, "auto", 9, fake_env, slurm, &e), QV_E_USAGE);
	TQ_INT(t, shard_parse(&s, "auto", 4, fake_env, bad, &e), QV_E_USAGE);
}

/* Slurm arrays as a real slurmctld 22.05 numbers them (the env of each
 * task of sbatch --array=...): stepped ranges map onto 0..N-1, lists are
 * refused with a message that says what to do. */
static void t_slurm_arrays(struct tq *t)
{
	/* --array=1-7:2: tasks 1 3 5 7 are shards 0 1 2 3 of 4 */
	const char *step5[] = {"SLURM_ARRAY_TASK_ID=5", "SLURM_ARRAY_TASK_MIN=1",
			       "SLURM_ARRAY_TASK_MAX=7", "SLURM_ARRAY_TASK_STEP=2",
			       "SLURM_ARRAY_TASK_COUNT=4", NULL};
	const char *step1[] = {"SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_MIN=1",
			       "SLURM_ARRAY_TASK_MAX=7", "SLURM_ARRAY_TASK_STEP=2",
			       "SLURM_ARRAY_TASK_COUNT=4", NULL};
	const char *step7[] = {"SLURM_ARRAY_TASK_ID=7", "SLURM_ARRAY_TASK_MIN=1",
			       "SLURM_ARRAY_TASK_MAX=7", "SLURM_ARRAY_TASK_STEP=2",
			       "SLURM_ARRAY_TASK_COUNT=4", NULL};
	/* --array=3-6 */
	const char *offset[] = {"SLURM_ARRAY_TASK_ID=6", "SLURM_ARRAY_TASK_MIN=3",
				"SLURM_ARRAY_TASK_MAX=6", "SLURM_ARRAY_TASK_STEP=1",
				"SLURM_ARRAY_TASK_COUNT=4", NULL};
	/* --array=0,2,5 (Slurm says STEP=1) and --array=0-3,10-11 */
	const char *list[] = {"SLURM_ARRAY_TASK_ID=2", "SLURM_ARRAY_TASK_MIN=0",
			      "SLURM_ARRAY_TASK_MAX=5", "SLURM_ARRAY_TASK_STEP=1",
			      "SLURM_ARRAY_TASK_COUNT=3", NULL};
	const char *ranges[] = {"SLURM_ARRAY_TASK_ID=10", "SLURM_ARRAY_TASK_MIN=0",
				"SLURM_ARRAY_TASK_MAX=11", "SLURM_ARRAY_TASK_STEP=1",
				"SLURM_ARRAY_TASK_COUNT=6", NULL};
	/* a task off the step's grid, and a step of 0: not from Slurm */
	const char *offgrid[] = {"SLURM_ARRAY_TASK_ID=4", "SLURM_ARRAY_TASK_MIN=1",
				 "SLURM_ARRAY_TASK_STEP=2", "SLURM_ARRAY_TASK_COUNT=4", NULL};
	const char *step0[] = {"SLURM_ARRAY_TASK_ID=4", "SLURM_ARRAY_TASK_STEP=0",
			       "SLURM_ARRAY_TASK_COUNT=8", NULL};
	struct shard s;
	struct qv_error e;

	TQ_INT(t, shard_parse(&s, "auto", 0, fake_env, step5, &e), QV_OK);
	TQ_TRUE(t, s.k == 2 && s.n == 4);
	TQ_INT(t, shard_parse(&s, "auto", 0, fake_env, step1, &e), QV_OK);
	TQ_TRUE(t, s.k == 0 && s.n == 4);
	TQ_INT(t, shard_parse(&s, "auto", 0, fake_env, step7, &e), QV_OK);
	TQ_TRUE(t, s.k == 3 && s.n == 4);
	TQ_INT(t, shard_parse(&s, "auto", 0, fake_env, offset, &e), QV_OK);
	TQ_TRUE(t, s.k == 3 && s.n == 4);
	TQ_INT(t, shard_parse(&s, "auto", 0, fake_env, list, &e), QV_E_USAGE);
	TQ_STR(t, e.msg, "--shard auto: this job array is a list (like 0,2,5), not one range "
			 "(like 0-7 or 1-7:2): pass --shard K/N");
	TQ_INT(t, shard_parse(&s, "auto", 0, fake_env, ranges, &e), QV_E_USAGE);
	TQ_TRUE(t, strstr(e.msg, "pass --shard K/N") != NULL);
	TQ_INT(t, shard_parse(&s, "auto", 0, fake_env, offgrid, &e), QV_E_USAGE);
	TQ_INT(t, shard_parse(&s, "auto", 0, fake_env, step0, &e), QV_E_USAGE);
}

void suite_cli_shard(struct tq *t)
{
	tq_run(t, "FNV-1a 64 test vectors", t_vectors);
	tq_run(t, "16 shards of 10,000 URLs cover each once", t_cover);
	tq_run(t, "K/N parsing", t_parse);
	tq_run(t, "auto from SLURM, AWS Batch, Kubernetes", t_auto);
	tq_run(t, "Slurm: stepped and offset arrays, lists refused", t_slurm_arrays);
}
