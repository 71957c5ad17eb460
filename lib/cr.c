// SPDX-License-Identifier: MIT
/* Helpers shared by the dump and restore modules. */
#include <errno.h>

#include <sudcr/cr.h>
#include <sudcr/log.h>

int cr_inject(struct cr_thread *th, long nr, int64_t *ret, uint64_t a0, uint64_t a1, uint64_t a2,
	      uint64_t a3, uint64_t a4, uint64_t a5)
{
	if (!th->inj_active) {
		sudcr_error("thread %d: no injection in progress", th->tid);
		return -EINVAL;
	}
	return inject_syscall6(&th->inj, nr, ret, a0, a1, a2, a3, a4, a5);
}

int cr_scratch(struct cr_thread *th, size_t len, uint64_t *addr)
{
	if (!th->inj_active)
		return -EINVAL;
	return inject_scratch(&th->inj, len, addr);
}

int cr_next_of_type(struct img_reader *img, uint32_t want, const void **data, size_t *len)
{
	uint32_t type;
	int ret;

	while ((ret = img_next_record(img, &type, data, len)) == 1)
		if (type == want)
			return 1;
	return ret;
}
