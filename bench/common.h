/* Small helpers shared by the benchmarks: clocks, percentiles, the
 * boxoffice binary, and one-line `bench:` figures. */
#ifndef BOXOFFICE_BENCH_COMMON_H
#define BOXOFFICE_BENCH_COMMON_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The p-th percentile (0..100) of n samples; sorts them. */
static inline double percentile(double *v, int n, double p)
{
	int i;
	if (n == 0)
		return 0;
	qsort(v, (size_t)n, sizeof v[0], cmp_double);
	i = (int)(p / 100.0 * (n - 1) + 0.5);
	return v[i];
}

static inline void bench_figure(const char *name, double value, const char *unit)
{
	printf("bench: %s %.2f %s\n", name, value, unit);
	fflush(stdout);
}

/* Runs a shell command line; a benchmark cannot go on without it. */
static inline void bench_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void bench_run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (system(cmd) != 0) {
		fprintf(stderr, "bench: failed: %s\n", cmd);
		exit(3);
	}
}

static inline const char *bench_bin(void)
{
	const char *b = getenv("BOXOFFICE");
	return b && *b ? b : "./boxoffice";
}

#endif
