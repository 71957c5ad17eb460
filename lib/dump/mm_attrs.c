// SPDX-License-Identifier: MIT
/*
 * Memory dump, the attributes of the whole address space: the
 * mlockall(MCL_FUTURE) state.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "mm.h"

/* VmLck of /proc/PID/status, in kB. */
static int read_vmlck(struct dump_ctx *d, uint64_t *kb)
{
	char path[64], *buf, *p;
	size_t len;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/status", d->proc_pid);
	ret = proc_read_file(path, &buf, &len);
	if (ret)
		return ret;
	p = strstr(buf, "\nVmLck:");
	ret = p && sscanf(p + 7, " %" SCNu64, kb) == 1 ? 0 : -EINVAL;
	free(buf);
	return ret;
}

/*
 * mlockall(MCL_FUTURE) leaves no trace in /proc but in the mappings made
 * afterwards: map a page by injection and see whether it counts in VmLck
 * (locked), and whether it was faulted in at once (not MCL_ONFAULT).
 * Cheaper than reading smaps again, which walks every page table.
 */
static int read_mlockall(struct dump_ctx *d, int pagemap, uint32_t *mcl)
{
	struct cr_thread *th = &d->threads[0];
	uint64_t before, after, pme = 0;
	int64_t addr, res;
	int ret, err;

	/* The safety mapping was such a fresh mapping (inject.h). */
	if (th->inj.fresh_mcl >= 0) {
		*mcl = (uint32_t)th->inj.fresh_mcl;
		return 0;
	}
	ret = read_vmlck(d, &before);
	if (ret)
		goto out_read;
	ret = cr_inject(th, arch_sc_nr(th->inj.kind, SC_MMAP), &addr, 0, PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0);
	if (ret)
		return ret;
	if (addr < 0 && addr > -4096) {
		sudcr_error("cannot map a page in %d to read its mlockall state: %s", d->pid, strerror((int)-addr));
		return (int)addr;
	}
	if (th->inj.kind == ARCH_IA32)
		addr = (uint32_t)addr;
	ret = read_vmlck(d, &after);
	if (!ret && after > before &&
	    pread(pagemap, &pme, sizeof(pme), (uint64_t)addr / PAGE * sizeof(pme)) != sizeof(pme))
		ret = -errno;
	err = cr_inject(th, arch_sc_nr(th->inj.kind, SC_MUNMAP), &res, (uint64_t)addr, PAGE, 0, 0, 0, 0);
	if (!ret && (err || res))
		ret = err ? err : (int)res;
	if (ret)
		goto out_read;
	*mcl = after > before ? MCL_FUTURE | (pme & (1ULL << 63) ? 0 : MCL_ONFAULT) : 0;
	return 0;
out_read:
	sudcr_error("cannot read the mlockall state of %d: %s", d->pid, strerror(-ret));
	return ret;
}

int dmm_dump_mm_attrs(struct dump_ctx *d, int pagemap)
{
	struct rec_mm_attrs rec = { 0 };
	int ret;

	/* KSM for the whole process (PR_SET_MEMORY_MERGE) is a process attribute: procattr.c. */
	ret = read_mlockall(d, pagemap, &rec.mlockall);
	if (ret)
		return ret;
	if (!rec.mlockall)
		return 0;
	return img_write_record(d->img, IMG_REC_MM_ATTRS, &rec, sizeof(rec));
}
