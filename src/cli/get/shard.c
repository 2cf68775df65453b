/* shard.c - the shard hash and K/N from arguments or the batch system. */
#include "cli/get/shard.h"

#include <string.h>

#include "cli/num.h"
#include "util/hash.h"

uint64_t shard_key(const void *p, size_t n)
{
	return hash_str64(p, n);
}

bool shard_pick(const struct shard *s, const char *url, size_t len)
{
	if (s->n <= 1)
		return true;
	return shard_key(url, len) % s->n == s->k;
}

/* A decimal number up to max (cli/num.c: digits only).  false when not one. */
static bool shard_num(const char *p, size_t len, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (num_parse_uint(p, len, 0, max, &v) != NUM_OK)
		return false;
	*out = (uint32_t)v;
	return true;
}

static enum qv_err shard_check(struct shard *s, struct qv_error *err)
{
	if (s->n == 0 || s->n > SHARD_N_MAX)
		return qv_error_set(err, QV_E_USAGE, "shard count must be 1 to %u (%s)", SHARD_N_MAX,
				    s->source);
	if (s->k >= s->n)
		return qv_error_set(err, QV_E_USAGE, "shard index %u is not below the count %u (%s)",
				    (unsigned)s->k, (unsigned)s->n, s->source);
	return QV_OK;
}

/* One batch system's variables: index (required) and count (optional when
 * --shards is given); min_var and step_var map an index range that does not
 * start at 0 or steps by more than 1 (Slurm's --array=3-9:2) onto 0..N-1,
 * and max_var tells such a range from a list (--array=0,2,5). */
struct shard_src {
	const char *index_var;
	const char *count_var;      /* NULL: only --shards */
	const char *min_var;        /* NULL: starts at 0 */
	const char *step_var;       /* NULL: steps by 1 */
	const char *max_var;        /* NULL: not checked */
};

static const struct shard_src shard_srcs[] = {
	{"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN",
	 "SLURM_ARRAY_TASK_STEP", "SLURM_ARRAY_TASK_MAX"},
	{"AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_SIZE", NULL, NULL, NULL},
	{"JOB_COMPLETION_INDEX", NULL, NULL, NULL, NULL},
};

static bool shard_env_num(shard_env_fn env, void *ctx, const char *name, uint32_t *out)
{
	const char *v = name != NULL ? env(ctx, name) : NULL;

	return v != NULL && shard_num(v, strlen(v), UINT32_MAX - 1u, out);
}

static enum qv_err shard_from_env(struct shard *s, const struct shard_src *src, uint32_t shards_opt,
				  shard_env_fn env, void *ctx, struct qv_error *err)
{
	uint32_t k, n = 0, min = 0, step = 1, max = 0;

	if (!shard_env_num(env, ctx, src->index_var, &k))
		return qv_error_set(err, QV_E_USAGE, "%s is not a number", src->index_var);
	if (src->min_var != NULL && shard_env_num(env, ctx, src->min_var, &min) && min > k)
		return qv_error_set(err, QV_E_USAGE, "%s is below %s", src->index_var,
				    src->min_var);
	if (src->step_var != NULL)
		(void)shard_env_num(env, ctx, src->step_var, &step);
	if (src->count_var != NULL && env(ctx, src->count_var) != NULL &&
	    !shard_env_num(env, ctx, src->count_var, &n))
		return qv_error_set(err, QV_E_USAGE, "%s is not a number", src->count_var);
	/* An array that is not one range MIN-MAX:STEP of COUNT tasks (a list,
	 * or ranges joined by commas: Slurm says STEP=1 for those) has no K/N a
	 * task can work out alone. */
	if (step == 0 || (k - min) % step != 0 ||
	    (n != 0 && src->max_var != NULL && shard_env_num(env, ctx, src->max_var, &max) &&
	     (max < min || (max - min) % step != 0 || (max - min) / step + 1 != n)))
		return qv_error_set(err, QV_E_USAGE,
				    "--shard auto: this job array is a list (like 0,2,5), not one range "
				    "(like 0-7 or 1-7:2): pass --shard K/N");
	k = (k - min) / step;
	if (n != 0 && shards_opt != 0 && n != shards_opt)
		return qv_error_set(err, QV_E_USAGE, "--shards %u disagrees with %s=%u",
				    (unsigned)shards_opt, src->count_var, (unsigned)n);
	if (n == 0)
		n = shards_opt;
	if (n == 0)
		return qv_error_set(err, QV_E_USAGE, "%s is set but the shard count is not: add --shards N",
				    src->index_var);
	s->k = k;
	s->n = n;
	s->source = src->index_var;
	return shard_check(s, err);
}

enum qv_err shard_parse(struct shard *s, const char *spec, uint32_t shards_opt, shard_env_fn env,
			void *env_ctx, struct qv_error *err)
{
	const char *slash = strchr(spec, '/');
	size_t i;

	s->k = 0;
	s->n = 1;
	s->source = "--shard";
	if (strcmp(spec, "auto") == 0) {
		for (i = 0; i < sizeof shard_srcs / sizeof shard_srcs[0]; i++) {
			if (env(env_ctx, shard_srcs[i].index_var) != NULL)
				return shard_from_env(s, &shard_srcs[i], shards_opt, env, env_ctx, err);
		}
		return qv_error_set(err, QV_E_USAGE,
				    "--shard auto: none of SLURM_ARRAY_TASK_ID, "
				    "AWS_BATCH_JOB_ARRAY_INDEX, JOB_COMPLETION_INDEX is set");
	}
	if (slash == NULL || !shard_num(spec, (size_t)(slash - spec), UINT32_MAX - 1u, &s->k) ||
	    !shard_num(slash + 1, strlen(slash + 1), UINT32_MAX - 1u, &s->n))
		return qv_error_set(err, QV_E_USAGE, "--shard wants K/N (e.g. 0/16) or auto, not '%s'",
				    spec);
	return shard_check(s, err);
}
