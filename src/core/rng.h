/* A small deterministic generator (splitmix64) for demo data and tests:
 * the same seed gives the same sequence on every machine. */
#ifndef BOXOFFICE_CORE_RNG_H
#define BOXOFFICE_CORE_RNG_H

#include <stdint.h>

struct rng {
	uint64_t state;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->state += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. The tiny modulo bias is irrelevant here. */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(rng_next(r) % n);
}

/* Picks an index from integer weights. */
static inline int rng_weighted(struct rng *r, const int *weights, int n)
{
	int total = 0, pick;
	for (int i = 0; i < n; i++)
		total += weights[i];
	pick = (int)rng_below(r, (uint32_t)total);
	for (int i = 0; i < n; i++) {
		if (pick < weights[i])
			return i;
		pick -= weights[i];
	}
	return n - 1;
}

#endif
