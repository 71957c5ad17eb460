// SPDX-License-Identifier: MIT
/*
 * Memory transplant, the mm fields: code/data/brk/stack/arg/env bounds,
 * the auxv and the exe link, set with PR_SET_MM_MAP.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "mm.h"

struct prctl_mm_map_sudcr {
	uint64_t start_code, end_code, start_data, end_data, start_brk, brk, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t auxv;
	uint32_t auxv_size;
	uint32_t exe_fd;
};

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * For an ia32 process this runs after rmm_enter_ia32(): the kernel refuses to
 * change the exe link while the old executable (sudcr, whose code held our
 * syscall instruction) is mapped.  Hence numbers of the thread's kind.
 */
int rmm_set_mm_fields(struct restore_ctx *r, struct cr_thread *th, uint64_t scratch)
{
	const struct rec_mm *m = r->mm;
	struct prctl_mm_map_sudcr map = {
		.start_code = m->start_code, .end_code = m->end_code,
		.start_data = m->start_data, .end_data = m->end_data,
		.start_brk = m->start_brk, .brk = m->brk, .start_stack = m->start_stack,
		.arg_start = m->arg_start, .arg_end = m->arg_end,
		.env_start = m->env_start, .env_end = m->env_end,
		.exe_fd = (uint32_t)-1,
	};
	uint64_t auxv_addr = scratch + 1024, path_addr = scratch + 2048;
	int64_t exe_fd = -1;
	int ret;

	if (m->auxv_len > 64 || m->auxv_len % 2)
		return img_record_invalid(r->img, "bad auxv length %u", m->auxv_len);
	if (m->auxv_len && r->proc.arch == ARCH_IA32) {
		/* The kernel keeps an ia32 process's auxv as it gave it: 32-bit words. */
		uint32_t a32[64];

		for (uint32_t i = 0; i < m->auxv_len; i++)
			a32[i] = (uint32_t)m->auxv[i];
		map.auxv = auxv_addr;
		map.auxv_size = m->auxv_len * sizeof(uint32_t);
		ret = inject_write_mem(th->tid, auxv_addr, a32, map.auxv_size);
		if (ret)
			return ret;
	} else if (m->auxv_len) {
		map.auxv = auxv_addr;
		map.auxv_size = m->auxv_len * sizeof(uint64_t);
		ret = inject_write_mem(th->tid, auxv_addr, m->auxv, map.auxv_size);
		if (ret)
			return ret;
	}
	/*
	 * The stub's exe link is sudcr's (or, for a library caller, its own).
	 * When the image's executable is that very file it is right already,
	 * and the kernel would refuse to replace it while it is mapped.
	 */
	if (m->exe[0] && memchr(m->exe, 0, sizeof(m->exe)) && !same_file(m->exe, "/proc/self/exe")) {
		const char *exe = m->exe;
		size_t len = strlen(exe) + 1;
		int64_t fd;

		if (len < SCRATCH_LEN - 2048 && !inject_write_mem(th->tid, path_addr, exe, len) &&
		    !cr_inject(th, arch_sc_nr(th->inj.kind, SC_OPENAT), &fd, (uint64_t)AT_FDCWD, path_addr,
			       O_RDONLY | O_CLOEXEC, 0, 0, 0) &&
		    fd >= 0) {
			exe_fd = fd;
			map.exe_fd = (uint32_t)fd;
		} else {
			sudcr_warn("cannot open the executable %s: /proc/%d/exe will point elsewhere", exe, r->pid);
		}
	}
	ret = inject_write_mem(th->tid, scratch, &map, sizeof(map));
	if (!ret)
		ret = rmm_must(th, NULL, "set the mm fields (PR_SET_MM_MAP)", m->start_brk, SC_PRCTL, PR_SET_MM,
			       PR_SET_MM_MAP, scratch, sizeof(map), 0, 0);
	if (exe_fd >= 0)
		rmm_must(th, NULL, "close", 0, SC_CLOSE, exe_fd, 0, 0, 0, 0, 0);
	return ret;
}
