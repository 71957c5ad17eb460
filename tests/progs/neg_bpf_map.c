// SPDX-License-Identifier: MIT
/*
 * Failure path: a BPF map is refused with one line naming the fd; the
 * process goes on and the map still holds the value it put there.
 */
// sudcr-test: dump-fails fd 3: anon_inode:bpf-map (BPF map): not supported
#include <linux/bpf.h>
#include <sys/syscall.h>

#include "progs/prog.h"

int main(void)
{
	union bpf_attr a = { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1 };
	uint32_t key = 0, val = 4242, got = 0;
	int fd = (int)syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));

	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		prog_skip("bpf(BPF_MAP_CREATE): %s (not allowed here)", strerror(errno));
	SETUP(fd == 3, "BPF_MAP_CREATE gave %d: %s", fd, strerror(errno));
	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (uint64_t)(uintptr_t)&key;
	a.value = (uint64_t)(uintptr_t)&val;
	SETUP(!syscall(SYS_bpf, BPF_MAP_UPDATE_ELEM, &a, sizeof(a)), "BPF_MAP_UPDATE_ELEM");

	prog_ready();
	prog_wait();

	a.value = (uint64_t)(uintptr_t)&got;
	CHECK(!syscall(SYS_bpf, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) && got == 4242, "lookup gave %u", got);
	prog_done();
}
