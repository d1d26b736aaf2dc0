/* libFuzzer harness: the gate_cache target (tests/fuzz/targets.c). */
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_target_gate_cache(data, size);
}
