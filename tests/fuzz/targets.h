/* The fuzz targets: each feeds one input (any bytes) through a parser of
 * boxoffice and checks what must hold afterwards, aborting when it does
 * not. Shared by the libFuzzer harnesses (tests/fuzz/fuzz_NAME.c, `make
 * fuzz`) and by tests/unit_fuzz_regress.c, which feeds them every seed and
 * every input that once crashed (tests/fuzz/corpus/NAME/,
 * tests/fuzz/regress/NAME/) under make test. None touches a database,
 * a file or the terminal, and none exits. */
#ifndef BOXOFFICE_TESTS_FUZZ_TARGETS_H
#define BOXOFFICE_TESTS_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

int fuzz_target_token(const uint8_t *data, size_t size);
int fuzz_target_csv(const uint8_t *data, size_t size);
int fuzz_target_filter(const uint8_t *data, size_t size);
int fuzz_target_cli(const uint8_t *data, size_t size);
int fuzz_target_gate_cache(const uint8_t *data, size_t size);
int fuzz_target_journal(const uint8_t *data, size_t size);

struct fuzz_target {
	const char *name; /* tests/fuzz/fuzz_NAME.c, corpus/NAME, regress/NAME */
	int (*run)(const uint8_t *data, size_t size);
};
extern const struct fuzz_target fuzz_targets[]; /* ends with { NULL, NULL } */

#endif
