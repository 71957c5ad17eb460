// SPDX-License-Identifier: MIT
/*
 * Memory: every mapping with its protection, flags and madvise state, the
 * mm fields (brk, arg/env area, auxv, exe), and the pages that carry data:
 * present pages only (PAGEMAP_SCAN), the zero page never, and for private
 * file mappings only the pages that were copied on write.  The mappings are
 * recorded first; then a pool of workers copies their pages into the
 * image's page files.
 *
 * This file runs those steps in order; each concern has a file of its
 * own, listed in mm.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "mm.h"

int dump_mm(struct dump_ctx *d)
{
	struct held_files held = { 0 };
	struct page_runs runs = { 0 };
	char path[64];
	int pagemap = -1, memfd = -1, ret;

	ret = proc_parse_maps(d->proc_pid, &d->vmas, &d->nr_vmas);
	if (ret) {
		sudcr_error("cannot read /proc/%d/smaps: %s", d->pid, strerror(-ret));
		return ret;
	}
	dump_forget_safety_pages(d);
	for (int i = 0; i < d->nr_vmas; i++) {
		ret = dmm_check_supported(&d->vmas[i]);
		if (ret)
			return ret;
	}
	snprintf(path, sizeof(path), "/proc/%d/pagemap", d->proc_pid);
	pagemap = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/mem", d->proc_pid);
	memfd = open(path, O_RDONLY | O_CLOEXEC);
	if (pagemap < 0 || memfd < 0) {
		ret = -errno;
		sudcr_error("cannot open %s: %s", path, strerror(-ret));
		goto out;
	}
	ret = dmm_dump_mm_fields(d);
	/* Every VMA record comes before the PAGES records that point into it. */
	for (int i = 0; i < d->nr_vmas && !ret; i++) {
		if (d->vmas[i].kind == VMA_VSYSCALL)
			continue;
		ret = dmm_dump_vma(d, &d->vmas[i], pagemap, memfd, &held, &runs);
	}
	if (!ret)
		ret = dmm_dump_page_runs(d, &runs, memfd);
	if (!ret)
		ret = dmm_dump_mm_attrs(d, pagemap);
out:
	free(held.v);
	free(runs.v);
	if (pagemap >= 0)
		close(pagemap);
	if (memfd >= 0)
		close(memfd);
	return ret;
}
