// SPDX-License-Identifier: MIT
/*
 * Unit tests of the /proc parsers: live /proc/self with state set up here,
 * crafted and malformed buffers, and a fixed-seed fuzz of every parser.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/proc/proc.h"	/* the private parsers; <sudcr/proc.h> too */

#include "harness.h"

#define PAGE 4096UL

static char **test_argv;

static const struct proc_vma *find_vma(const struct proc_vma *v, int nr, uint64_t addr)
{
	for (int i = 0; i < nr; i++)
		if (addr >= v[i].start && addr < v[i].end)
			return &v[i];
	return NULL;
}

static const struct proc_vma *find_vma_kind(const struct proc_vma *v, int nr,
					    enum proc_vma_kind kind)
{
	for (int i = 0; i < nr; i++)
		if (v[i].kind == kind)
			return &v[i];
	return NULL;
}

/* A temporary file with spaces (and parentheses) in its name, @size bytes. */
static int make_tmp_file(char *path, size_t len, const char *tag, size_t size)
{
	int fd;

	snprintf(path, len, "/tmp/sudcr proc (%s) test XXXXXX", tag);
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, size)) {
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

/* ---- maps / smaps of self ---- */

enum {
	SLOT_PRIV, SLOT_SHARED_ANON, SLOT_FILE, SLOT_DELETED, SLOT_MEMFD, SLOT_DONTFORK,
	SLOT_WIPEONFORK, SLOT_DONTDUMP, SLOT_NONE, SLOT_EXEC, SLOT_LOCKED, NR_SLOTS
};

static void test_maps_self(void)
{
	char fpath[PATH_MAX], dpath[PATH_MAX], exe[PATH_MAX];
	struct proc_vma *v = NULL;
	const struct proc_vma *m;
	struct stat fst, dst, mst;
	int ffd, dfd, mfd, nr = 0, ret;
	bool locked;
	ssize_t l;
	char *base, *heap;
	void *r;

	/* One page mapped every other page: no two test mappings can merge. */
	base = mmap(NULL, 2 * NR_SLOTS * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(base != MAP_FAILED);
	if (base == MAP_FAILED)
		return;
	munmap(base, 2 * NR_SLOTS * PAGE);
#define SLOT(i) (base + 2 * (i) * PAGE)
#define MAP_AT(i, prot, flags, fd, off) \
	mmap(SLOT(i), PAGE, prot, (flags) | MAP_FIXED_NOREPLACE, fd, off)

	r = MAP_AT(SLOT_PRIV, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(r == SLOT(SLOT_PRIV));
	memset(r, 0x5a, PAGE);
	r = MAP_AT(SLOT_SHARED_ANON, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(r == SLOT(SLOT_SHARED_ANON));

	ffd = make_tmp_file(fpath, sizeof(fpath), "file", 2 * PAGE);
	CHECK(ffd >= 0);
	fstat(ffd, &fst);
	r = MAP_AT(SLOT_FILE, PROT_READ, MAP_PRIVATE, ffd, PAGE);
	CHECK(r == SLOT(SLOT_FILE));

	dfd = make_tmp_file(dpath, sizeof(dpath), "deleted", PAGE);
	CHECK(dfd >= 0);
	fstat(dfd, &dst);
	r = MAP_AT(SLOT_DELETED, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	CHECK(r == SLOT(SLOT_DELETED));
	unlink(dpath);

	mfd = memfd_create("sudcr test memfd", MFD_CLOEXEC);
	CHECK(mfd >= 0);
	CHECK(!ftruncate(mfd, PAGE));
	fstat(mfd, &mst);
	r = MAP_AT(SLOT_MEMFD, PROT_READ, MAP_SHARED, mfd, 0);
	CHECK(r == SLOT(SLOT_MEMFD));

	r = MAP_AT(SLOT_DONTFORK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(!madvise(r, PAGE, MADV_DONTFORK));
	r = MAP_AT(SLOT_WIPEONFORK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(!madvise(r, PAGE, MADV_WIPEONFORK));
	r = MAP_AT(SLOT_DONTDUMP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(!madvise(r, PAGE, MADV_DONTDUMP));
	r = MAP_AT(SLOT_NONE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(r == SLOT(SLOT_NONE));
	r = MAP_AT(SLOT_EXEC, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(r == SLOT(SLOT_EXEC));
	r = MAP_AT(SLOT_LOCKED, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* Raw syscall: ASan makes mlock() a no-op. */
	locked = !syscall(SYS_mlock, r, PAGE);

	/* Make sure there is a [heap], whatever malloc does (never shrunk: malloc may own it). */
	heap = sbrk(0);
	CHECK(sbrk(PAGE) != (void *)-1);

	ret = proc_parse_maps(getpid(), &v, &nr);
	CHECK_EQ(ret, 0);
	if (ret)
		goto out;
	CHECK(nr > NR_SLOTS);
	for (int i = 0; i < nr; i++) {
		CHECKF(v[i].start < v[i].end, "vma %d: %lx-%lx", i, (long)v[i].start,
		       (long)v[i].end);
		CHECKF(!i || v[i].start >= v[i - 1].end, "vma %d out of order", i);
		CHECKF(v[i].has_smaps, "vma %d has no VmFlags", i);
		CHECKF(!(v[i].vmflags & PROC_VMF_UNKNOWN), "vma %lx: unknown VmFlags",
		       (long)v[i].start);
		/* prot and VmFlags agree */
		CHECK(!!(v[i].prot & PROT_READ) == !!(v[i].vmflags & PROC_VMF_RD));
		CHECK(!!(v[i].prot & PROT_WRITE) == !!(v[i].vmflags & PROC_VMF_WR));
		CHECK(!!(v[i].prot & PROT_EXEC) == !!(v[i].vmflags & PROC_VMF_EX));
		CHECK(v[i].shared == !!(v[i].vmflags & PROC_VMF_MS));
	}

	m = find_vma(v, nr, (uint64_t)SLOT(SLOT_PRIV));
	CHECK(m && m->start == (uint64_t)SLOT(SLOT_PRIV) && m->end == m->start + PAGE);
	if (m) {
		CHECK_EQ(m->prot, PROT_READ | PROT_WRITE);
		CHECK(!m->shared && m->kind == VMA_PLAIN && !m->path[0] && !m->deleted);
		CHECK_EQ(m->ino, 0);
		CHECK_EQ(m->vmflags & (PROC_VMF_RD | PROC_VMF_WR | PROC_VMF_EX | PROC_VMF_SH |
				       PROC_VMF_MR | PROC_VMF_MW | PROC_VMF_ME),
			 PROC_VMF_RD | PROC_VMF_WR | PROC_VMF_MR | PROC_VMF_MW | PROC_VMF_ME);
		CHECK_EQ(m->rss, PAGE);
		CHECK_EQ(m->anonymous, PAGE);
		CHECK_EQ(m->swap, 0);
	}

	m = find_vma(v, nr, (uint64_t)SLOT(SLOT_SHARED_ANON));
	CHECK(m && m->start == (uint64_t)SLOT(SLOT_SHARED_ANON));
	if (m) {
		CHECK(m->shared && m->deleted && m->kind == VMA_FILE);
		CHECKF(!strcmp(m->path, "/dev/zero"), "shared anon path '%s'", m->path);
		CHECK((m->vmflags & (PROC_VMF_SH | PROC_VMF_MS)) == (PROC_VMF_SH | PROC_VMF_MS));
	}

	m = find_vma(v, nr, (uint64_t)SLOT(SLOT_FILE));
	CHECK(m && m->start == (uint64_t)SLOT(SLOT_FILE));
	if (m) {
		CHECKF(!strcmp(m->path, fpath), "file path '%s', expected '%s'", m->path, fpath);
		CHECK(!m->deleted && !m->shared && m->kind == VMA_FILE);
		CHECK_EQ(m->prot, PROT_READ);
		CHECK_EQ(m->pgoff, PAGE);
		CHECK_EQ(m->ino, fst.st_ino);
		CHECK_EQ(m->dev_major, major(fst.st_dev));
		CHECK_EQ(m->dev_minor, minor(fst.st_dev));
	}

	m = find_vma(v, nr, (uint64_t)SLOT(SLOT_DELETED));
	CHECK(m && m->start == (uint64_t)SLOT(SLOT_DELETED));
	if (m) {
		CHECKF(!strcmp(m->path, dpath), "deleted path '%s', expected '%s'", m->path,
		       dpath);
		CHECK(m->deleted && m->shared && m->kind == VMA_FILE);
		CHECK_EQ(m->ino, dst.st_ino);
		CHECK(m->vmflags & PROC_VMF_SH);
	}

	m = find_vma(v, nr, (uint64_t)SLOT(SLOT_MEMFD));
	CHECK(m && m->start == (uint64_t)SLOT(SLOT_MEMFD));
	if (m) {
		CHECKF(!strcmp(m->path, "/memfd:sudcr test memfd"), "memfd path '%s'", m->path);
		CHECK(m->deleted && m->shared && m->kind == VMA_FILE);
		CHECK_EQ(m->ino, mst.st_ino);
	}

	m = find_vma(v, nr, (uint64_t)SLOT(SLOT_DONTFORK));
	CHECK(m && (m->vmflags & PROC_VMF_DC) && !(m->vmflags & PROC_VMF_WF));
	m = find_vma(v, nr, (uint64_t)SLOT(SLOT_WIPEONFORK));
	CHECK(m && (m->vmflags & PROC_VMF_WF) && !(m->vmflags & PROC_VMF_DC));
	m = find_vma(v, nr, (uint64_t)SLOT(SLOT_DONTDUMP));
	CHECK(m && (m->vmflags & PROC_VMF_DD));
	m = find_vma(v, nr, (uint64_t)SLOT(SLOT_PRIV));
	CHECK(m && !(m->vmflags & (PROC_VMF_DC | PROC_VMF_WF | PROC_VMF_DD | PROC_VMF_LO)));

	m = find_vma(v, nr, (uint64_t)SLOT(SLOT_NONE));
	CHECK(m && m->start == (uint64_t)SLOT(SLOT_NONE) && m->end == m->start + PAGE);
	if (m) {
		CHECK_EQ(m->prot, 0);
		CHECK(!(m->vmflags & (PROC_VMF_RD | PROC_VMF_WR | PROC_VMF_EX)));
		CHECK(m->vmflags & PROC_VMF_MR);
	}

	m = find_vma(v, nr, (uint64_t)SLOT(SLOT_EXEC));
	CHECK(m && m->prot == (PROT_READ | PROT_EXEC) && (m->vmflags & PROC_VMF_EX));
	if (locked) {
		m = find_vma(v, nr, (uint64_t)SLOT(SLOT_LOCKED));
		CHECK(m && (m->vmflags & PROC_VMF_LO));
	}

	/* The kernel's own mappings. */
	m = find_vma(v, nr, (uint64_t)&ret);
	CHECK(m && m->kind == VMA_STACK && !strcmp(m->path, "[stack]"));
	CHECK(m && (m->vmflags & PROC_VMF_GD));
	m = find_vma(v, nr, getauxval(AT_SYSINFO_EHDR));
	CHECK(m && m->kind == VMA_VDSO && m->start == getauxval(AT_SYSINFO_EHDR));
	CHECK(m && m->prot == (PROT_READ | PROT_EXEC));
	CHECK(find_vma_kind(v, nr, VMA_VVAR));
	CHECK(find_vma_kind(v, nr, VMA_VVAR_VCLOCK));
	m = find_vma(v, nr, (uint64_t)heap);
	CHECK(m && m->kind == VMA_HEAP);
	m = find_vma_kind(v, nr, VMA_VSYSCALL);
	if (m)
		CHECK(m->start == 0xffffffffff600000ULL && !strcmp(m->path, "[vsyscall]"));

	/* Our own text is a file mapping of the executable. */
	l = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(l > 0);
	exe[l > 0 ? l : 0] = '\0';
	m = find_vma(v, nr, (uint64_t)&test_maps_self);
	CHECK(m && m->kind == VMA_FILE && (m->prot & PROT_EXEC) && !strcmp(m->path, exe));

out:
	free(v);
	munmap(base, 2 * NR_SLOTS * PAGE);
	if (ffd >= 0) {
		close(ffd);
		unlink(fpath);
	}
	if (dfd >= 0)
		close(dfd);
	if (mfd >= 0)
		close(mfd);
#undef MAP_AT
#undef SLOT
}

static void test_maps_anon_name(void)
{
	struct proc_vma *v = NULL;
	const struct proc_vma *m;
	int nr = 0;
	char *p;

	p = mmap(NULL, 3 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	CHECK(!mprotect(p + PAGE, PAGE, PROT_READ | PROT_WRITE));
	CHECK(!prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p + PAGE, PAGE, "sudcr name"));
	CHECK_EQ(proc_parse_maps(getpid(), &v, &nr), 0);
	m = find_vma(v, nr, (uint64_t)(p + PAGE));
	CHECK(m && m->kind == VMA_ANON_NAMED && !strcmp(m->path, "[anon:sudcr name]"));
	free(v);
	munmap(p, 3 * PAGE);
}

static bool anon_name_supported(void)
{
	void *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool ok;

	if (p == MAP_FAILED)
		return false;
	ok = !prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p, PAGE, "probe");
	munmap(p, PAGE);
	return ok;
}

/* Thousands of mappings: one read of smaps, one growing buffer. */
static void test_maps_many(void)
{
	const int count = 3000;
	struct proc_vma *v = NULL;
	struct timespec t0, t1;
	int nr = 0, found = 0;
	char *p;

	p = mmap(NULL, count * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	/* Alternate protections so that the kernel keeps them apart. */
	for (int i = 1; i < count; i += 2)
		mprotect(p + i * PAGE, PAGE, PROT_READ | PROT_WRITE);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ(proc_parse_maps(getpid(), &v, &nr), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* The two end pages may merge with neighbours of the same protection. */
	for (int i = 0; i < count; i++) {
		const struct proc_vma *m = find_vma(v, nr, (uint64_t)(p + i * PAGE));

		if (!m)
			continue;
		CHECK_EQ(m->prot, i % 2 ? PROT_READ | PROT_WRITE : PROT_READ);
		if (i > 0 && i < count - 1)
			CHECK(m->start == (uint64_t)(p + i * PAGE) && m->end == m->start + PAGE);
		found++;
	}
	CHECK_EQ(found, count);
	fprintf(stderr, "# proc_parse_maps: %d vmas in %.1f ms\n", nr,
		(t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	free(v);
	munmap(p, count * PAGE);
}

/* ---- crafted smaps ---- */

static const char smaps_sample[] =
	"00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/dbus daemon\n"
	"Size:                328 kB\n"
	"Rss:                 100 kB\n"
	"Anonymous:             4 kB\n"
	"AnonHugePages:         0 kB\n"
	"Swap:                  8 kB\n"
	"THPeligible:           0\n"
	"ProtectionKey:         0\n"
	"VmFlags: rd ex mr mw me dw ?? \n"
	"00651000-00652000 rw-s 00051000 fd:0a 12345  /tmp/a b (deleted)\n"
	"VmFlags: rd wr sh mr mw me ms\n"
	"7f0000000000-7f0000001000 ---p 00000000 00:00 0 \n"
	"7f0000001000-7f0000002000 rw-p 00000000 00:00 0                          [anon:my buf]\n"
	"7f0000002000-7f0000003000 rw-s 00000000 00:01 7                          [anon_shmem:x]\n"
	"7f0000003000-7f0000004000 r--p 00000000 00:00 0                          [uprobes]\n"
	"7f0000004000-7f0000005000 r--p 00000000 fe:00 9                          /x (deleted) (deleted)\n"
	"7f0000005000-7f0000006000 r--p 00000000 fe:00 9                          /trailing space \n"
	"7f0000006000-7f0000007000 r--p 00000000 00:0e 77                         anon_inode:[io_uring]\n"
	"7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]\n"
	"Rss: 12 kB\n"
	"VmFlags: rd wr mr mw me gd ac\n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]";

static void test_smaps_crafted(void)
{
	struct proc_vma *v = NULL;
	int nr = -1;

	CHECK_EQ(proc_parse_smaps_buf(smaps_sample, &v, &nr), 0);
	CHECK_EQ(nr, 11);
	if (nr != 11) {
		free(v);
		return;
	}
	CHECK(v[0].start == 0x400000 && v[0].end == 0x452000 && v[0].pgoff == 0);
	CHECK(v[0].prot == (PROT_READ | PROT_EXEC) && !v[0].shared);
	CHECK(v[0].dev_major == 8 && v[0].dev_minor == 2 && v[0].ino == 173521);
	CHECK(!strcmp(v[0].path, "/usr/bin/dbus daemon") && !v[0].deleted);
	CHECK(v[0].kind == VMA_FILE && v[0].has_smaps);
	CHECK_EQ(v[0].rss, 100 * 1024);
	CHECK_EQ(v[0].anonymous, 4 * 1024);
	CHECK_EQ(v[0].swap, 8 * 1024);
	CHECK_EQ(v[0].vmflags, PROC_VMF_RD | PROC_VMF_EX | PROC_VMF_MR | PROC_VMF_MW |
		 PROC_VMF_ME | PROC_VMF_DW | PROC_VMF_UNKNOWN);

	CHECK(v[1].shared && v[1].pgoff == 0x51000 && v[1].dev_major == 0xfd &&
	      v[1].dev_minor == 0xa);
	CHECK(!strcmp(v[1].path, "/tmp/a b") && v[1].deleted && v[1].kind == VMA_FILE);
	CHECK(v[1].vmflags & PROC_VMF_SH);
	CHECK_EQ(v[1].rss, 0);

	CHECK(v[2].prot == 0 && !v[2].path[0] && v[2].kind == VMA_PLAIN && !v[2].has_smaps);
	CHECK(!strcmp(v[3].path, "[anon:my buf]") && v[3].kind == VMA_ANON_NAMED);
	CHECK(!strcmp(v[4].path, "[anon_shmem:x]") && v[4].kind == VMA_ANON_NAMED);
	CHECK(v[5].kind == VMA_OTHER_SPECIAL && !v[5].deleted);
	CHECK(!strcmp(v[6].path, "/x (deleted)") && v[6].deleted);
	CHECK(!strcmp(v[7].path, "/trailing space ") && !v[7].deleted);
	CHECK(!strcmp(v[8].path, "anon_inode:[io_uring]") && v[8].kind == VMA_FILE);
	CHECK(v[9].kind == VMA_STACK && v[9].rss == 12 * 1024 && (v[9].vmflags & PROC_VMF_GD));
	CHECK(v[10].kind == VMA_VSYSCALL && v[10].start == 0xffffffffff600000ULL &&
	      v[10].prot == PROT_EXEC);
	free(v);

	/* Empty input and blank lines: no mappings, not an error. */
	v = NULL;
	CHECK_EQ(proc_parse_smaps_buf("", &v, &nr), 0);
	CHECK(nr == 0 && !v);
	CHECK_EQ(proc_parse_smaps_buf("\n\n", &v, &nr), 0);
	CHECK_EQ(nr, 0);
	free(v);
	CHECK(!strcmp(proc_vma_kind_name(VMA_VVAR_VCLOCK), "vvar_vclock"));
}

/* Paths of every length, one allocation: entries then paths, nothing wasted. */
static void test_smaps_sizes(void)
{
	const int count = 20000;
	const size_t line_max = 128 + PATH_MAX;
	struct proc_vma *v = NULL;
	char *buf, *b, *longp;
	size_t raw = 0, used;
	int nr = -1;

	/* Small entries: the path is not held inline. */
	CHECK(sizeof(struct proc_vma) < 256);

	/* The longest path accepted is PATH_MAX - 1 bytes, " (deleted)" included. */
	longp = malloc(PATH_MAX + 1);
	buf = malloc((size_t)count * line_max);
	CHECK(longp && buf);
	if (!longp || !buf)
		goto out;
	longp[0] = '/';
	for (int i = 1; i < PATH_MAX; i++)
		longp[i] = 'a' + i % 26;
	longp[PATH_MAX] = '\0';
	b = buf;
	for (int i = 0; i < count; i++) {
		unsigned long long s = 0x10000000ULL + (unsigned long long)i * 0x2000;
		int k = i % 1000;

		b += sprintf(b, "%llx-%llx rw-p 00000000 fe:01 %d ", s, s + 0x1000, i);
		/* Mappings 1 and 2: longest path, and longest with " (deleted)". */
		if (k == 1 || k == 2) {
			b += sprintf(b, "%.*s%s", PATH_MAX - 1 - (k == 2 ? 10 : 0), longp,
				     k == 2 ? " (deleted)" : "");
		} else if (k % 4 == 0) {
			/* anonymous: no path column at all */
		} else if (k % 4 == 1) {
			b += sprintf(b, "                     /lib/x%d.so", i);
		} else if (k % 4 == 2) {
			b += sprintf(b, "   /tmp/del %d (deleted)", i);
		} else {
			b += sprintf(b, "      [anon:n%d]", i);
		}
		b += sprintf(b, "\nRss: 4 kB\nVmFlags: rd wr mr mw me ac\n");
	}
	CHECK_EQ(proc_parse_smaps_buf(buf, &v, &nr), 0);
	CHECK_EQ(nr, count);
	if (nr != count)
		goto out;
	for (int i = 0; i < count; i++) {
		const struct proc_vma *m = &v[i];
		int k = i % 1000;
		char want[64];

		CHECK(m->start == 0x10000000ULL + (uint64_t)i * 0x2000 && m->ino == (uint64_t)i);
		CHECK(m->rss == 4096 && m->has_smaps);
		/* Every path after the last entry; none overlapping the next. */
		CHECK(m->path >= (const char *)(v + count));
		if (i)
			CHECK(m->path > v[i - 1].path + strlen(v[i - 1].path));
		if (k == 1 || k == 2) {
			size_t len = PATH_MAX - 1 - (k == 2 ? 10 : 0);

			CHECKF(strlen(m->path) == len && !strncmp(m->path, longp, len),
			       "mapping %d: long path of %zu bytes", i, strlen(m->path));
			CHECK(m->deleted == (k == 2) && m->kind == VMA_FILE);
			raw += PATH_MAX;
			continue;
		}
		switch (k % 4) {
		case 0:
			CHECK(!m->path[0] && m->kind == VMA_PLAIN && !m->deleted);
			raw += 1;
			continue;
		case 1:
			snprintf(want, sizeof(want), "/lib/x%d.so", i);
			CHECK(m->kind == VMA_FILE && !m->deleted);
			break;
		case 2:
			snprintf(want, sizeof(want), "/tmp/del %d", i);
			CHECK(m->kind == VMA_FILE && m->deleted);
			raw += 10;
			break;
		default:
			snprintf(want, sizeof(want), "[anon:n%d]", i);
			CHECK(m->kind == VMA_ANON_NAMED);
		}
		CHECKF(!strcmp(m->path, want), "mapping %d: '%s', expected '%s'", i, m->path, want);
		raw += strlen(want) + 1;
	}
	/* The paths take what they need: the text of the path column, not PATH_MAX each. */
	used = v[count - 1].path + strlen(v[count - 1].path) + 1 - (const char *)(v + count);
	CHECKF(used <= raw, "paths take %zu bytes for %zu bytes of text", used, raw);
	CHECKF(malloc_usable_size(v) < count * sizeof(*v) + raw + 4096,
	       "%zu bytes for %d entries of %zu bytes and %zu bytes of paths",
	       malloc_usable_size(v), count, sizeof(*v), raw);
	free(v);
	v = NULL;

	/* PATH_MAX bytes of path are one too many. */
	sprintf(buf, "1000-2000 r--p 00000000 00:00 1 %s", longp);
	CHECK_EQ(proc_parse_smaps_buf(buf, &v, &nr), -ENAMETOOLONG);
	CHECK(!v);
out:
	free(v);
	free(buf);
	free(longp);
}

#define HDR "1000-2000 r--p 00000000 00:00 0\n"

static void test_smaps_malformed(void)
{
	static const char *const bad[] = {
		"zzzz-1000 r-xp 00000000 00:00 0\n",
		HDR "zzzz-1000 r-xp 00000000 00:00 0\n",
		"1000-2000 r-\n",
		"1000-2000 r--p\n",
		"1000-2000 rwzp 00000000 00:00 0\n",
		"1000-2000 r--q 00000000 00:00 0\n",
		"2000-1000 r--p 00000000 00:00 0\n",
		"1000-1000 r--p 00000000 00:00 0\n",
		"1000-2000 r--p 00000000 00:00\n",
		"1000-2000 r--p 00000000 0000 0\n",
		"1000-2000 r--p 00000000 00:00 0x\n",
		"1000-2000 r--p 00000000 00:00 -1\n",
		"1000-2000  r--p 00000000 00:00 0\n",
		"1000- r--p 00000000 00:00 0\n",
		"1000-2000 r--p 00000000 123456789:00 0\n",
		"11111111111111111-22222222222222222 r--p 00000000 00:00 0\n",
		"1000-2000 r--p 00000000 00:00 99999999999999999999999\n",
		HDR "Rss: abc kB\n",
		HDR "Rss: 99999999999999999999 kB\n",
		HDR "Rss: 18014398509481984 kB\n",
		HDR "Rss: 4 MB\n",
		HDR "Rss:\n",
		HDR "VmFlags: rd wrx\n",
		HDR "VmFlags: r\n",
		HDR "Garbage line without colon\n",
		HDR "Bad key: 4 kB\n",
		HDR ": 4 kB\n",
		"Rss: 4 kB\n" HDR,
		"1000-3000 r--p 00000000 00:00 0\n2000-4000 r--p 00000000 00:00 0\n",
		"3000-4000 r--p 00000000 00:00 0\n1000-2000 r--p 00000000 00:00 0\n",
	};
	struct proc_vma *v = (void *)0x1;
	char *longp;
	int nr = 12345;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = proc_parse_smaps_buf(bad[i], &v, &nr);

		CHECKF(ret == -EINVAL, "case %zu (%s): %d", i, bad[i], ret);
	}
	/* Outputs untouched on error. */
	CHECK(v == (void *)0x1 && nr == 12345);

	/* A path longer than PATH_MAX. */
	longp = malloc(PATH_MAX + 100);
	snprintf(longp, PATH_MAX + 100, "1000-2000 r--p 00000000 00:00 1 /");
	memset(longp + strlen(longp), 'a', PATH_MAX);
	longp[PATH_MAX + 40] = '\0';
	CHECK_EQ(proc_parse_smaps_buf(longp, &v, &nr), -ENAMETOOLONG);
	free(longp);

	/* Truncated in the middle of a field line after a good header: still fine. */
	v = NULL;
	CHECK_EQ(proc_parse_smaps_buf(HDR "Rss:   8 kB", &v, &nr), 0);
	CHECK(nr == 1 && v && v[0].rss == 8192);
	free(v);
	v = NULL;
	CHECK_EQ(proc_parse_smaps_buf(HDR "VmFlags:", &v, &nr), 0);
	CHECK(nr == 1 && v && v[0].has_smaps && !v[0].vmflags);
	free(v);
}

/* ---- stat ---- */

static void test_stat_self(void)
{
	static const char *const names[] = { ") x (", "a)\n) b", "((", "))" };
	char old[17] = "", comm[64];
	struct proc_stat st;
	char state;
	int cpu;

	prctl(PR_GET_NAME, old);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		CHECK(!prctl(PR_SET_NAME, names[i]));
		CHECK_EQ(proc_parse_stat(getpid(), 0, &st), 0);
		CHECKF(!strcmp(st.comm, names[i]), "comm '%s', expected '%s'", st.comm, names[i]);
		CHECK_EQ(st.state, 'R');
		CHECK_EQ(proc_parse_stat(getpid(), gettid(), &st), 0);
		CHECK(!strcmp(st.comm, names[i]) && st.state == 'R');
		CHECK_EQ(proc_read_comm(getpid(), 0, comm, sizeof(comm)), 0);
		CHECKF(!strcmp(comm, names[i]), "comm file '%s'", comm);
		CHECK_EQ(proc_thread_state(getpid(), gettid(), &state), 0);
		CHECK_EQ(state, 'R');
		CHECK_EQ(proc_thread_cpu(getpid(), gettid(), &cpu), 0);
		CHECK(cpu >= 0 && cpu < CPU_SETSIZE);
	}
	prctl(PR_SET_NAME, old);

	CHECK_EQ(proc_parse_stat(getpid(), 0, &st), 0);
	CHECK_EQ(st.pid, getpid());
	CHECK(!strcmp(st.comm, old));
	CHECK_EQ(st.ppid, getppid());
	CHECK_EQ(st.pgrp, getpgrp());
	CHECK_EQ(st.session, getsid(0));
	CHECK_EQ(st.nice, getpriority(PRIO_PROCESS, 0));
	CHECK(st.num_threads >= 1);
	CHECK(st.vsize > 0 && st.rss > 0);
	CHECK(st.start_code < st.end_code);
	CHECK(st.start_data < st.end_data && st.start_brk <= (uint64_t)sbrk(0));
	CHECK_EQ(st.exit_signal, SIGCHLD);
	CHECK(st.processor >= 0);
	CHECK_EQ(st.policy, SCHED_OTHER);
	CHECK_EQ(st.rt_priority, 0);
	CHECK_EQ(st.exit_code, 0);
	CHECK(st.start_time > 0);
	CHECK(st.rsslim > 0);
	/* The argument and environment areas are where our argv and environ are. */
	CHECK_EQ(st.arg_start, (uint64_t)test_argv[0]);
	CHECK(st.arg_start < st.arg_end && st.env_start < st.env_end);
	CHECK(st.env_start >= st.arg_end);
	CHECK(st.start_stack >= (uint64_t)&st);
}

/* A stat line with comm @comm and fields 4..52 from @vals (NULL: defaults). */
static void make_stat(char *buf, size_t len, const char *comm, const char *const *vals, int nr)
{
	size_t o = (size_t)snprintf(buf, len, "4242 (%s) S", comm);

	for (int i = 4; i <= 52 && o < len; i++) {
		const char *v = i - 4 < nr ? vals[i - 4] : "0";

		o += (size_t)snprintf(buf + o, len - o, " %s", v);
	}
	if (o < len)
		snprintf(buf + o, len - o, "\n");
}

static void test_stat_crafted(void)
{
	static const char *const vals[] = {
		/* 4 ppid */ "1", "2", "3", /* 7 tty */ "-1", /* 8 tpgid */ "-1",
		/* 9 flags */ "4194560", "10", "0", /* 12 majflt */ "7", "0",
		/* 14 utime */ "5", "6", "0", "0", /* 18 prio */ "39", /* 19 nice */ "-19",
		/* 20 threads */ "3", "0", /* 22 start */ "12345", /* 23 vsize */ "1000000",
		/* 24 rss */ "50", /* 25 rsslim */ "18446744073709551615",
		/* 26 code */ "4096", "8192", /* 28 stack */ "140000", "0", "0",
		"0", "0", "0", "0", "0", "0", "0", /* 38 exit_signal */ "17",
		/* 39 cpu */ "1", /* 40 rtprio */ "5", /* 41 policy */ "1", "0", "0", "0",
		/* 45 data */ "10000", "10100", /* 47 brk */ "20000",
		/* 48 arg */ "30000", "30010", /* 50 env */ "30010", "30100", /* 52 */ "256",
	};
	char buf[1024], copy[1024 + 16];
	struct proc_stat st;
	const char *bad_vals[49];

	make_stat(buf, sizeof(buf), "a) b) (c", vals, 49);
	CHECK_EQ(proc_parse_stat_buf(buf, &st), 0);
	CHECK(st.pid == 4242 && !strcmp(st.comm, "a) b) (c") && st.state == 'S');
	CHECK(st.ppid == 1 && st.pgrp == 2 && st.session == 3);
	CHECK(st.tty_nr == -1 && st.tpgid == -1 && st.flags == 4194560);
	CHECK(st.minflt == 10 && st.majflt == 7 && st.utime == 5 && st.stime == 6);
	CHECK(st.priority == 39 && st.nice == -19 && st.num_threads == 3);
	CHECK(st.start_time == 12345 && st.vsize == 1000000 && st.rss == 50);
	CHECK(st.rsslim == UINT64_MAX);
	CHECK(st.start_code == 4096 && st.end_code == 8192 && st.start_stack == 140000);
	CHECK(st.exit_signal == 17 && st.processor == 1 && st.rt_priority == 5 &&
	      st.policy == 1);
	CHECK(st.start_data == 10000 && st.end_data == 10100 && st.start_brk == 20000);
	CHECK(st.arg_start == 30000 && st.arg_end == 30010);
	CHECK(st.env_start == 30010 && st.env_end == 30100 && st.exit_code == 256);

	/* No newline at the end, and fields a later kernel might append. */
	buf[strlen(buf) - 1] = '\0';
	CHECK_EQ(proc_parse_stat_buf(buf, &st), 0);
	snprintf(copy, sizeof(copy), "%s 1 2 3\n", buf);
	CHECK_EQ(proc_parse_stat_buf(copy, &st), 0);

	/* A comm longer than the field is cut, not overflowed. */
	make_stat(buf, sizeof(buf), "0123456789012345678901234567890123456789012345678901234567890123456789",
		  vals, 49);
	CHECK_EQ(proc_parse_stat_buf(buf, &st), 0);
	CHECK_EQ(strlen(st.comm), sizeof(st.comm) - 1);

	/* Malformed. */
	CHECK_EQ(proc_parse_stat_buf("", &st), -EINVAL);
	CHECK_EQ(proc_parse_stat_buf("4242 (x)", &st), -EINVAL);
	CHECK_EQ(proc_parse_stat_buf("4242 (x) R", &st), -EINVAL);
	CHECK_EQ(proc_parse_stat_buf("4242 x) R 1", &st), -EINVAL);
	CHECK_EQ(proc_parse_stat_buf("4242 )x( R 1", &st), -EINVAL);
	make_stat(buf, sizeof(buf), "x", vals, 49);
	CHECK_EQ(proc_parse_stat_buf(buf + 5, &st), -EINVAL);	/* no pid */
	snprintf(copy, sizeof(copy), "-%s", buf);
	CHECK_EQ(proc_parse_stat_buf(copy, &st), -EINVAL);	/* negative pid */
	snprintf(copy, sizeof(copy), "%s", buf);
	copy[strlen(copy) / 2] = '\0';				/* truncated */
	CHECK_EQ(proc_parse_stat_buf(copy, &st), -EINVAL);
	snprintf(copy, sizeof(copy), "%s", buf);
	*strstr(copy, " S ") = '\0';
	CHECK_EQ(proc_parse_stat_buf(copy, &st), -EINVAL);
	snprintf(copy, sizeof(copy), "%s", buf);
	memmove(strstr(copy, " S ") + 3, strstr(copy, " S ") + 2, strlen(strstr(copy, " S ") + 2) + 1);
	CHECK_EQ(proc_parse_stat_buf(copy, &st), -EINVAL);	/* double blank */
	snprintf(copy, sizeof(copy), "%s", buf);
	strstr(copy, " S ")[1] = ' ';
	CHECK_EQ(proc_parse_stat_buf(copy, &st), -EINVAL);	/* no state */

	memcpy(bad_vals, vals, sizeof(bad_vals));
	bad_vals[0] = "99999999999";				/* ppid out of range */
	make_stat(buf, sizeof(buf), "x", bad_vals, 49);
	CHECK_EQ(proc_parse_stat_buf(buf, &st), -EINVAL);
	memcpy(bad_vals, vals, sizeof(bad_vals));
	bad_vals[23 - 4] = "-5";				/* negative vsize */
	make_stat(buf, sizeof(buf), "x", bad_vals, 49);
	CHECK_EQ(proc_parse_stat_buf(buf, &st), -EINVAL);
	memcpy(bad_vals, vals, sizeof(bad_vals));
	bad_vals[10 - 4] = "1x";
	make_stat(buf, sizeof(buf), "x", bad_vals, 49);
	CHECK_EQ(proc_parse_stat_buf(buf, &st), -EINVAL);
	memcpy(bad_vals, vals, sizeof(bad_vals));
	bad_vals[30 - 4] = "99999999999999999999";		/* > UINT64_MAX */
	make_stat(buf, sizeof(buf), "x", bad_vals, 49);
	CHECK_EQ(proc_parse_stat_buf(buf, &st), -EINVAL);
	make_stat(buf, sizeof(buf), "x", vals, 40);		/* 40 given, rest "0": ok */
	CHECK_EQ(proc_parse_stat_buf(buf, &st), 0);
	*strrchr(buf, ' ') = '\0';				/* one field short */
	CHECK_EQ(proc_parse_stat_buf(buf, &st), -EINVAL);
}

/* ---- status ---- */

static void test_status_self(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct caps[2];
	struct proc_status st, tst;
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	struct rlimit rl;
	sigset_t set, oldset;
	mode_t old_umask;
	pid_t *tids = NULL;
	uint64_t bnd = 0;
	char comm[64];
	int nr = 0;

	old_umask = umask(027);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, &oldset);
	CHECK_EQ(proc_parse_status(getpid(), 0, &st), 0);
	CHECK_EQ(proc_parse_status(getpid(), gettid(), &tst), 0);
	sigprocmask(SIG_SETMASK, &oldset, NULL);
	umask(old_umask);

	CHECK_EQ(st.umask, 027);
	CHECK_EQ(st.tgid, getpid());
	CHECK_EQ(st.ppid, getppid());
	CHECK(proc_read_comm(getpid(), 0, comm, sizeof(comm)) == 0 && !strcmp(st.name, comm));
	CHECK(st.sig_blk & (1ULL << (SIGUSR2 - 1)));
	CHECK(tst.sig_blk & (1ULL << (SIGUSR2 - 1)));
	getresuid(&ru, &eu, &su);
	getresgid(&rg, &eg, &sg);
	CHECK(st.uid[0] == ru && st.uid[1] == eu && st.uid[2] == su && st.uid[3] == eu);
	CHECK(st.gid[0] == rg && st.gid[1] == eg && st.gid[2] == sg && st.gid[3] == eg);
	CHECK_EQ(st.no_new_privs, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	CHECK_EQ(st.seccomp, prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	CHECK(st.seccomp == 2 ? st.seccomp_filters > 0 : st.seccomp_filters == 0);
	CHECK(!getrlimit(RLIMIT_SIGPENDING, &rl));
	CHECK_EQ(st.sigq_limit, rl.rlim_cur);
	CHECK(st.sigq_queued <= st.sigq_limit);
	CHECK(!syscall(SYS_capget, &hdr, caps));
	CHECK_EQ(st.cap_eff, caps[0].effective | (uint64_t)caps[1].effective << 32);
	CHECK_EQ(st.cap_prm, caps[0].permitted | (uint64_t)caps[1].permitted << 32);
	CHECK_EQ(st.cap_inh, caps[0].inheritable | (uint64_t)caps[1].inheritable << 32);
	for (int i = 0; i < 64; i++)
		if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1)
			bnd |= 1ULL << i;
	CHECK_EQ(st.cap_bnd, bnd);
	for (int i = 0; i < 64; i++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, i, 0, 0) == 1)
			CHECK(st.cap_amb & (1ULL << i));
	CHECK_EQ(proc_list_tasks(getpid(), &tids, &nr), 0);
	CHECK_EQ(st.threads, nr);
	free(tids);
}

static void test_status_crafted(void)
{
	static const char good[] =
		"Name:\tweird: name\\n\n"
		"Umask:\t0077\n"
		"State:\tS (sleeping)\n"
		"Tgid:\t100\n"
		"PPid:\t1\n"
		"TracerPid:\t55\n"
		"Uid:\t1000\t1001\t1002\t1003\n"
		"Gid:\t4294967294\t2\t3\t4\n"
		"Threads:\t7\n"
		"SigQ:\t3/63432\n"
		"SigPnd:\t0000000000000001\n"
		"ShdPnd:\t0000000000000002\n"
		"SigBlk:\tfffffffe7ffbfeff\n"
		"SigIgn:\t0000000000001000\n"
		"SigCgt:\t0000000180000000\n"
		"CapInh:\t0000000000000000\n"
		"CapPrm:\t000001ffffffffff\n"
		"CapEff:\t000001fffeffffff\n"
		"CapBnd:\t000001fffeffffff\n"
		"CapAmb:\t0000000000000400\n"
		"NoNewPrivs:\t1\n"
		"Seccomp:\t2\n"
		"Seccomp_filters:\t3\n"
		"a line without colon\n"
		"Future_field:\twhatever ::: here\n"
		"Cpus_allowed_list:\t0-1";
	static const char *const bad[] = {
		"Uid:\t0\t0\t0\n",
		"Uid:\t0\t0\t0\t0\t0\n",
		"Uid:\t-1\t0\t0\t0\n",
		"Gid:\t4294967296\t0\t0\t0\n",
		"Umask:\t0999\n",
		"Umask:\t01000\n",
		"SigQ:\t1-2\n",
		"SigQ:\t1/\n",
		"Tgid:\n",
		"Tgid:\t12a\n",
		"PPid:\t99999999999\n",
		"SigBlk:\tzz\n",
		"SigBlk:\t10000000000000000\n",
		"CapEff:\t\n",
		"NoNewPrivs:\tyes\n",
		"Threads:\t1 2\n",
	};
	struct proc_status st;
	char longname[200];

	CHECK_EQ(proc_parse_status_buf(good, &st), 0);
	CHECK(!strcmp(st.name, "weird: name\\n"));
	CHECK(st.umask == 077 && st.tgid == 100 && st.ppid == 1 && st.tracer_pid == 55);
	CHECK(st.uid[0] == 1000 && st.uid[1] == 1001 && st.uid[2] == 1002 && st.uid[3] == 1003);
	CHECK(st.gid[0] == 4294967294u && st.gid[3] == 4);
	CHECK(st.threads == 7 && st.sigq_queued == 3 && st.sigq_limit == 63432);
	CHECK(st.sig_pnd == 1 && st.shd_pnd == 2 && st.sig_blk == 0xfffffffe7ffbfeffULL);
	CHECK(st.sig_ign == 0x1000 && st.sig_cgt == 0x180000000ULL);
	CHECK(st.cap_inh == 0 && st.cap_prm == 0x1ffffffffffULL && st.cap_eff == 0x1fffeffffffULL);
	CHECK(st.cap_bnd == 0x1fffeffffffULL && st.cap_amb == 0x400);
	CHECK(st.no_new_privs == 1 && st.seccomp == 2 && st.seccomp_filters == 3);

	CHECK_EQ(proc_parse_status_buf("", &st), 0);
	CHECK(st.umask == -1 && st.tgid == 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECKF(proc_parse_status_buf(bad[i], &st) == -EINVAL, "case %zu: %s", i, bad[i]);

	snprintf(longname, sizeof(longname), "Name:\t%0150d\n", 7);
	CHECK_EQ(proc_parse_status_buf(longname, &st), 0);
	CHECK_EQ(strlen(st.name), sizeof(st.name) - 1);
}

/* ---- fd, fdinfo ---- */

static void test_fdinfo_self(void)
{
	char fpath[PATH_MAX], want[64];
	struct proc_fd one, *fds = NULL;
	int efd, pfd[2], afd, rfd, sfd, tfd, pidfd, nr = 0;
	struct itimerspec its = { { 1, 5 }, { 100, 0 } };
	struct statx sx;
	struct stat sb;
	sigset_t set;
	uint64_t add = 3;

	efd = eventfd(5, EFD_SEMAPHORE | EFD_CLOEXEC);
	CHECK(efd >= 0);
	CHECK(write(efd, &add, sizeof(add)) == sizeof(add));
	CHECK(!pipe2(pfd, O_NONBLOCK));
	afd = make_tmp_file(fpath, sizeof(fpath), "append", 0);
	CHECK(afd >= 0);
	close(afd);
	afd = open(fpath, O_WRONLY | O_APPEND);
	CHECK(afd >= 0);
	CHECK(write(afd, "0123456789", 10) == 10);
	rfd = open(fpath, O_RDONLY);
	CHECK(rfd >= 0 && lseek(rfd, 3, SEEK_SET) == 3);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sfd = signalfd(-1, &set, SFD_NONBLOCK);
	CHECK(sfd >= 0);
	tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	CHECK(tfd >= 0 && !timerfd_settime(tfd, 0, &its, NULL));
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);

	CHECK_EQ(proc_read_fd(getpid(), efd, &one), 0);
	CHECK(one.fd == efd && !strcmp(one.link, "anon_inode:[eventfd]"));
	CHECK(one.has_eventfd && one.eventfd_count == 8 && one.eventfd_semaphore);
	CHECK(one.eventfd_id >= 0);
	CHECK((one.flags & O_ACCMODE) == O_RDWR && (one.flags & O_CLOEXEC));
	CHECK(!one.has_signalfd && !one.has_timerfd && !one.has_pidfd);

	CHECK_EQ(proc_read_fd(getpid(), pfd[0], &one), 0);
	fstat(pfd[0], &sb);
	snprintf(want, sizeof(want), "pipe:[%lu]", (unsigned long)sb.st_ino);
	CHECKF(!strcmp(one.link, want), "pipe link '%s', expected '%s'", one.link, want);
	CHECK_EQ(one.ino, sb.st_ino);
	CHECK_EQ(one.flags & (O_ACCMODE | O_NONBLOCK | O_CLOEXEC), O_RDONLY | O_NONBLOCK);
	CHECK(!one.has_eventfd);
	CHECK_EQ(proc_read_fd(getpid(), pfd[1], &one), 0);
	CHECK_EQ(one.flags & O_ACCMODE, O_WRONLY);

	CHECK_EQ(proc_read_fd(getpid(), afd, &one), 0);
	CHECKF(!strcmp(one.link, fpath), "file link '%s'", one.link);
	CHECK_EQ(one.pos, 10);
	CHECK_EQ(one.flags & (O_ACCMODE | O_APPEND | O_CLOEXEC), O_WRONLY | O_APPEND);
	CHECK(!statx(afd, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &sx));
	CHECK_EQ(one.ino, sx.stx_ino);
	if (sx.stx_mask & STATX_MNT_ID)
		CHECK_EQ(one.mnt_id, sx.stx_mnt_id);
	CHECK_EQ(proc_read_fd(getpid(), rfd, &one), 0);
	CHECK(one.pos == 3 && (one.flags & O_ACCMODE) == O_RDONLY && !(one.flags & O_APPEND));

	CHECK_EQ(proc_read_fd(getpid(), sfd, &one), 0);
	CHECK(one.has_signalfd && one.signalfd_mask == 1ULL << (SIGUSR2 - 1));
	CHECK(one.flags & O_NONBLOCK);

	CHECK_EQ(proc_read_fd(getpid(), tfd, &one), 0);
	CHECK(one.has_timerfd && one.timerfd_clockid == CLOCK_MONOTONIC);
	CHECK(one.timerfd_interval_sec == 1 && one.timerfd_interval_nsec == 5);
	CHECK(one.timerfd_value_sec <= 100 && one.timerfd_value_sec >= 90);
	CHECK(one.timerfd_ticks == 0 && one.timerfd_settime_flags == 0);

	if (pidfd >= 0) {
		CHECK_EQ(proc_read_fd(getpid(), pidfd, &one), 0);
		CHECK(one.has_pidfd && one.pidfd_pid == getpid());
	}

	CHECK_EQ(proc_read_fd(getpid(), 100000, &one), -ENOENT);
	CHECK_EQ(proc_read_fd(getpid(), -1, &one), -EINVAL);

	CHECK_EQ(proc_list_fds(getpid(), &fds, &nr), 0);
	for (int i = 1; i < nr; i++)
		CHECKF(fds[i - 1].fd < fds[i].fd, "not sorted at %d", i);
	{
		int want_fds[] = { efd, pfd[0], pfd[1], afd, rfd, sfd, tfd };
		int found = 0;

		for (int i = 0; i < nr; i++) {
			for (size_t j = 0; j < sizeof(want_fds) / sizeof(want_fds[0]); j++)
				if (fds[i].fd == want_fds[j])
					found++;
			if (fds[i].fd == efd)
				CHECK(fds[i].has_eventfd && fds[i].eventfd_count == 8);
			if (fds[i].fd == afd)
				CHECK(fds[i].pos == 10 && !strcmp(fds[i].link, fpath));
		}
		CHECK_EQ(found, (int)(sizeof(want_fds) / sizeof(want_fds[0])));
	}
	free(fds);

	close(efd);
	close(pfd[0]);
	close(pfd[1]);
	close(afd);
	close(rfd);
	close(sfd);
	close(tfd);
	if (pidfd >= 0)
		close(pidfd);
	unlink(fpath);
}

/* "lock:" lines of fdinfo and lines of /proc/locks, as Linux 6.18 prints them. */
static void test_locks_crafted(void)
{
	static const char fdinfo[] =
		"pos:\t0\nflags:\t02\nmnt_id:\t1\nino:\t5\n"
		"lock:\t1: FLOCK  ADVISORY  READ 31890 fe:00:10969877 0 EOF\n"
		"lock:\t2: OFDLCK ADVISORY  WRITE -1 fe:00:10969879 100 149\n"
		"lock:\t3: POSIX  ADVISORY  WRITE 31890 fe:00:10969880 20 EOF\n"
		"lock:\t4: LEASE  ACTIVE    READ 31890 fe:00:10969881 0 EOF\n";
	static const char locks[] =
		"1: POSIX  ADVISORY  WRITE 7 00:1b:12 0 9\n"
		"1: -> POSIX  ADVISORY  WRITE 8 00:1b:12 0 9\n"
		"2: DELEG  BREAKING  UNLCK 9 <none>:0 0 EOF\n";
	static const char *const bad[] = {
		"lock:\t1: FLOCK  ADVISORY  MAYBE 1 fe:00:1 0 EOF\n",
		"lock:\t1: FLOCK  ADVISORY  READ x fe:00:1 0 EOF\n",
		"lock:\t1: POSIX  ADVISORY  READ 1 fe:00:1 9 3\n",
		"lock:\t1: POSIX  ADVISORY  READ 1 fe:00:1 0 EOF junk\n",
		"lock:\t1: POSIX  ADVISORY  READ 1 fe-00-1 0 EOF\n",
		"lock:\t1: POSIX\n",
		"lock:\tPOSIX  ADVISORY  READ 1 fe:00:1 0 EOF\n",
	};
	struct proc_lock *v = NULL;
	int nr = -1;

	CHECK_EQ(proc_parse_locks_buf(fdinfo, true, &v, &nr), 0);
	CHECK_EQ(nr, 4);
	if (v && nr == 4) {
		CHECK(v[0].kind == PROC_LOCK_FLOCK && v[0].advisory && v[0].type == F_RDLCK);
		CHECK(v[0].pid == 31890 && v[0].dev_major == 0xfe && v[0].ino == 10969877);
		CHECK(v[0].start == 0 && v[0].end == UINT64_MAX);
		CHECK(v[1].kind == PROC_LOCK_OFD && v[1].pid == -1 && v[1].type == F_WRLCK);
		CHECK(v[1].start == 100 && v[1].end == 149);
		CHECK(v[2].kind == PROC_LOCK_POSIX && v[2].start == 20 && v[2].end == UINT64_MAX);
		CHECK(v[3].kind == PROC_LOCK_OTHER && !v[3].advisory && !strcmp(v[3].name, "LEASE"));
	}
	free(v);
	v = NULL;
	CHECK_EQ(proc_parse_locks_buf(locks, false, &v, &nr), 0);
	CHECK_EQ(nr, 2);
	if (v && nr == 2) {
		CHECK(v[0].pid == 7 && v[0].dev_minor == 0x1b && v[0].end == 9);
		CHECK(v[1].kind == PROC_LOCK_OTHER && v[1].type == F_UNLCK && !v[1].ino);
	}
	free(v);
	CHECK_EQ(proc_parse_locks_buf("pos:\t0\n", true, &v, &nr), 0);
	CHECK(nr == 0 && !v);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECKF(proc_parse_locks_buf(bad[i], true, &v, &nr) == -EINVAL, "case %zu: %s", i, bad[i]);

	/* Our own locks, as this kernel shows them. */
	{
		char path[] = "/tmp/sudcr-proc-test-lock-XXXXXX";
		int fd = mkstemp(path);
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 10 };

		CHECK(fd >= 0);
		if (fd < 0)
			return;
		unlink(path);
		CHECK(!flock(fd, LOCK_SH));
		CHECK(!fcntl(fd, F_SETLK, &fl));
		v = NULL;
		CHECK_EQ(proc_read_fd_locks(getpid(), fd, &v, &nr), 0);
		CHECK_EQ(nr, 2);
		for (int i = 0; v && i < nr; i++) {
			if (v[i].kind == PROC_LOCK_POSIX)
				CHECK(v[i].pid == getpid() && v[i].start == 5 && v[i].end == 14 &&
				      v[i].type == F_WRLCK);
			else
				CHECK(v[i].kind == PROC_LOCK_FLOCK && v[i].type == F_RDLCK);
		}
		free(v);
		close(fd);
	}
}

static void test_fdinfo_crafted(void)
{
	static const char good[] =
		"pos:\t42\n"
		"flags:\t0102002\n"
		"mnt_id:\t17\n"
		"ino:\t99\n"
		"eventfd-count:                a\n"
		"eventfd-id: 3\n"
		"eventfd-semaphore: 0\n"
		"lock:\t1: POSIX  ADVISORY  WRITE 123 00:05:1 0 EOF\n"
		"tfd:        5 events:       19 data:                5  pos:0 ino:1 sdev:f\n"
		"inotify wd:1 ino:2 sdev:3 mask:4 ignored_mask:0 fhandle-bytes:8\n"
		"weird garbage\n"
		"\n";
	static const char *const bad[] = {
		"pos:\t0\nflags:\t0x9\nmnt_id:\t1\nino:\t1\n",
		"pos:\t0\nflags:\t08\nmnt_id:\t1\nino:\t1\n",
		"pos:\t0\nflags:\t077777777777\nmnt_id:\t1\nino:\t1\n",
		"flags:\t0\nmnt_id:\t1\nino:\t1\n",
		"pos:\t0\nmnt_id:\t1\nino:\t1\n",
		"pos:\t0\nflags:\t0\nino:\t1\n",
		"pos:\t0\nflags:\t0\nmnt_id:\t1\n",
		"pos:\tx\nflags:\t0\nmnt_id:\t1\nino:\t1\n",
		"pos:\t0\nflags:\t0\nmnt_id:\t99999999999\nino:\t1\n",
		"pos:\t0\nflags:\t0\nmnt_id:\t1\nino:\t-1\n",
		"pos:\t0\nflags:\t0\nmnt_id:\t1\nino:\t1\neventfd-count: zz\n",
		"pos:\t0\nflags:\t0\nmnt_id:\t1\nino:\t1\nit_value: (1, 2\n",
		"pos:\t0\nflags:\t0\nmnt_id:\t1\nino:\t1\nit_value: 1, 2\n",
		"pos:\t0\nflags:\t0\nmnt_id:\t1\nino:\t1\nsigmask:\t\n",
		"pos:\t0\nflags:\t0\nmnt_id:\t1\nino:\t1\nPid:\tme\n",
		"",
	};
	struct proc_fd fd;

	fd.fd = 77;
	strcpy(fd.link, "keep me");
	CHECK_EQ(proc_parse_fdinfo_buf(good, &fd), 0);
	CHECK(fd.fd == 77 && !strcmp(fd.link, "keep me"));
	CHECK(fd.pos == 42 && fd.flags == 0102002 && fd.mnt_id == 17 && fd.ino == 99);
	CHECK(fd.has_eventfd && fd.eventfd_count == 10 && fd.eventfd_id == 3);
	CHECK(!fd.eventfd_semaphore && !fd.has_timerfd && !fd.has_signalfd && !fd.has_pidfd);
	CHECK_EQ(fd.nr_locks, 1);

	CHECK_EQ(proc_parse_fdinfo_buf("pos:\t-5\nflags:\t02\nmnt_id:\t0\nino:\t1\n"
				       "clockid: 0\nticks: 3\nsettime flags: 01\n"
				       "it_value: (0, 0)\nit_interval: (2, 999999999)\n", &fd), 0);
	CHECK(fd.pos == (uint64_t)-5 && fd.has_timerfd && fd.timerfd_clockid == 0);
	CHECK(fd.timerfd_ticks == 3 && fd.timerfd_settime_flags == 1);
	CHECK(fd.timerfd_interval_sec == 2 && fd.timerfd_interval_nsec == 999999999);
	CHECK(!fd.has_eventfd && fd.eventfd_count == 0);

	CHECK_EQ(proc_parse_fdinfo_buf("pos:\t0\nflags:\t02\nmnt_id:\t0\nino:\t1\n"
				       "Pid:\t-1\nNSpid:\t-1\n", &fd), 0);
	CHECK(fd.has_pidfd && fd.pidfd_pid == -1);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECKF(proc_parse_fdinfo_buf(bad[i], &fd) == -EINVAL, "case %zu: %s", i, bad[i]);
}

static void test_epoll_self(void)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 0xfedcba9876543210ULL };
	struct proc_epoll_tfd *v = NULL;
	int ep, efd, pfd[2], nr = -1, seen = 0;
	struct stat sb;

	ep = epoll_create1(EPOLL_CLOEXEC);
	efd = eventfd(0, EFD_CLOEXEC);
	CHECK(ep >= 0 && efd >= 0 && !pipe2(pfd, O_CLOEXEC));
	CHECK_EQ(proc_read_epoll(getpid(), ep, &v, &nr), 0);
	CHECK(nr == 0 && !v);
	CHECK(!epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
	ev = (struct epoll_event){ .events = EPOLLOUT | EPOLLONESHOT, .data.u64 = 7 };
	CHECK(!epoll_ctl(ep, EPOLL_CTL_ADD, pfd[1], &ev));
	CHECK_EQ(proc_read_epoll(getpid(), ep, &v, &nr), 0);
	CHECK_EQ(nr, 2);
	for (int i = 0; i < nr; i++) {
		if (v[i].tfd == efd) {
			CHECK_EQ(v[i].events, EPOLLIN | EPOLLET | EPOLLERR | EPOLLHUP);
			CHECK_EQ(v[i].data, 0xfedcba9876543210ULL);
			CHECK(!fstat(efd, &sb) && v[i].ino == sb.st_ino);
			seen |= 1;
		} else if (v[i].tfd == pfd[1]) {
			CHECK_EQ(v[i].events, EPOLLOUT | EPOLLONESHOT | EPOLLERR | EPOLLHUP);
			CHECK_EQ(v[i].data, 7);
			seen |= 2;
		}
	}
	CHECK_EQ(seen, 3);
	free(v);
	/* A one-shot entry that fired keeps only its private bits. */
	CHECK_EQ(epoll_wait(ep, &ev, 1, 0), 1);
	CHECK_EQ(proc_read_epoll(getpid(), ep, &v, &nr), 0);
	for (int i = 0; i < nr; i++)
		if (v[i].tfd == pfd[1])
			CHECK_EQ(v[i].events, EPOLLONESHOT);
	free(v);
	CHECK_EQ(proc_read_epoll(getpid(), 100000, &v, &nr), -ENOENT);
	close(ep);
	close(efd);
	close(pfd[0]);
	close(pfd[1]);
}

static void test_epoll_crafted(void)
{
	static const char good[] =
		"pos:\t0\nflags:\t02\nmnt_id:\t17\nino:\t17\n"
		"tfd:        5 events:       19 data:                5  pos:0 ino:1b sdev:f\n"
		"tfd:       12 events: c0000000 data: ffffffffffffffff  pos:-1 ino:0 sdev:0\n"
		"tfd:        3 events:        4 data:                0\n";
	static const char *const bad[] = {
		"tfd: x events: 19 data: 5\n",
		"tfd: -1 events: 19 data: 5\n",
		"tfd: 5 events: 119999999 data: 5\n",
		"tfd: 5 events: 19\n",
		"tfd: 5 data: 5 events: 19\n",
		"tfd: 5 events: 19 data: 10000000000000000\n",
		"tfd: 5 events: 19 data: 5 pos:0\n",
		"tfd: 5 events: 19 data: 5 pos:0 ino:1 sdev:2 more\n",
		"tfd: 5 events: 19 data: 5 whatever\n",
	};
	struct proc_epoll_tfd *v = NULL;
	int nr = 0;

	CHECK_EQ(proc_parse_epoll_buf(good, &v, &nr), 0);
	CHECK_EQ(nr, 3);
	if (nr == 3) {
		CHECK(v[0].tfd == 5 && v[0].events == 0x19 && v[0].data == 5);
		CHECK(v[0].ino == 0x1b && v[0].sdev == 0xf);
		CHECK(v[1].tfd == 12 && v[1].events == 0xc0000000 && v[1].data == UINT64_MAX);
		CHECK(v[2].tfd == 3 && v[2].events == 4 && v[2].data == 0 && v[2].ino == 0);
	}
	free(v);
	CHECK_EQ(proc_parse_epoll_buf("pos:\t0\n", &v, &nr), 0);
	CHECK(nr == 0 && !v);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECKF(proc_parse_epoll_buf(bad[i], &v, &nr) == -EINVAL, "case %zu: %s", i, bad[i]);
}

/* ---- POSIX timers ---- */

static void test_timers_self(void)
{
	struct proc_posix_timer *t = NULL;
	struct sigevent sev;
	int ids[3], nr = 0, found = 0;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR1;
	sev.sigev_value.sival_ptr = (void *)0x1234;
	CHECK(!syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &ids[0]));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev._sigev_un._tid = gettid();
	sev.sigev_signo = SIGRTMIN + 1;
	sev.sigev_value.sival_ptr = (void *)0xdeadbeefcafeULL;
	CHECK(!syscall(SYS_timer_create, CLOCK_REALTIME, &sev, &ids[1]));
	sev.sigev_notify = SIGEV_NONE;
	CHECK(!syscall(SYS_timer_create, CLOCK_BOOTTIME, &sev, &ids[2]));

	CHECK_EQ(proc_parse_timers(getpid(), &t, &nr), 0);
	for (int i = 0; i < nr; i++) {
		CHECK(!i || t[i - 1].id < t[i].id);
		if (t[i].id == ids[0]) {
			found++;
			CHECK(t[i].signo == SIGUSR1 && t[i].sigval == 0x1234);
			CHECK(t[i].notify_kind == SIGEV_SIGNAL && t[i].notify_tid == getpid());
			CHECK_EQ(t[i].clock_id, CLOCK_MONOTONIC);
		} else if (t[i].id == ids[1]) {
			found++;
			CHECK(t[i].signo == SIGRTMIN + 1 && t[i].sigval == 0xdeadbeefcafeULL);
			CHECK(t[i].notify_kind == SIGEV_THREAD_ID && t[i].notify_tid == gettid());
			CHECK_EQ(t[i].clock_id, CLOCK_REALTIME);
		} else if (t[i].id == ids[2]) {
			found++;
			CHECK(t[i].notify_kind == SIGEV_NONE && t[i].clock_id == CLOCK_BOOTTIME);
		}
	}
	CHECK_EQ(found, 3);
	free(t);
	for (int i = 0; i < 3; i++)
		syscall(SYS_timer_delete, ids[i]);
}

/*
 * /proc/PID/limits against getrlimit(), in a child whose limits are made
 * distinctive (lowered only: no CAP_SYS_RESOURCE needed).
 */
static void test_limits_self(void)
{
	pid_t pid = fork();
	int st;

	if (!pid) {
		struct rlimit l, set[] = { { 123, 4567 }, { 0, 1ULL << 40 }, { 1234567, 9876543 },
					   { 1, 2 } };
		int res[] = { RLIMIT_NOFILE, RLIMIT_CORE, RLIMIT_FSIZE, RLIMIT_MSGQUEUE };
		uint64_t cur[RLIM_NLIMITS], max[RLIM_NLIMITS];

		for (int i = 0; i < 4; i++) {
			if (getrlimit(res[i], &l))
				_exit(10);
			if (set[i].rlim_max > l.rlim_max)
				set[i].rlim_max = l.rlim_max;
			if (set[i].rlim_cur > set[i].rlim_max)
				set[i].rlim_cur = set[i].rlim_max;
			if (setrlimit(res[i], &set[i]))
				_exit(11);
		}
		if (proc_read_limits(getpid(), cur, max, RLIM_NLIMITS))
			_exit(12);
		for (int r = 0; r < RLIM_NLIMITS; r++)
			if (getrlimit(r, &l) || l.rlim_cur != cur[r] || l.rlim_max != max[r])
				_exit(20 + r);
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);
	{
		uint64_t cur[RLIM_NLIMITS], max[RLIM_NLIMITS];

		/* The child is gone (reaped): its PID has no /proc entry. */
		CHECK_EQ(proc_read_limits(pid, cur, max, RLIM_NLIMITS), -ESRCH);
	}
}

static void test_timers_crafted(void)
{
	static const char good[] =
		"ID: 3\n"
		"signal: 14/0000000000000003\n"
		"notify: signal/pid.4492\n"
		"ClockID: -6\n"
		"ID: 1\n"
		"signal: 35/0000000000001234\n"
		"notify: signal/tid.4493\n"
		"Future: field\n"
		"ClockID: 0\n"
		"ID: 2\n"
		"signal: 35/ffffffffffffffff\n"
		"notify: thread/pid.7\n"
		"ClockID: 7\n"
		"ID: 0\n"
		"signal: 10/0\n"
		"notify: none/pid.4492\n"
		"ClockID: 1";
	static const char *const bad[] = {
		"signal: 14/0\nID: 1\nnotify: none/pid.1\nClockID: 0\n",
		"ID: 1\nsignal: 14\nnotify: none/pid.1\nClockID: 0\n",
		"ID: 1\nsignal: 14/xyz\nnotify: none/pid.1\nClockID: 0\n",
		"ID: 1\nsignal: 14/0\nnotify: bogus/pid.1\nClockID: 0\n",
		"ID: 1\nsignal: 14/0\nnotify: signal/xid.1\nClockID: 0\n",
		"ID: 1\nsignal: 14/0\nnotify: signal/pid1\nClockID: 0\n",
		"ID: 1\nsignal: 14/0\nnotify: signal/pid.\nClockID: 0\n",
		"ID: 1\nsignal: 14/0\nnotify: none/pid.1\nClockID: x\n",
		"ID: 1\nsignal: 14/0\nnotify: none/pid.1\n",
		"ID: 1\nsignal: 14/0\nsignal: 14/0\nnotify: none/pid.1\nClockID: 0\n",
		"ID: 1\nsignal: 14/0\nnotify: none/pid.1\nClockID: 0\nID: 2\n",
		"ID: 1\ngarbage\n",
		"ID: x\n",
		"ID: 1\nsignal: 14/10000000000000000\nnotify: none/pid.1\nClockID: 0\n",
	};
	struct proc_posix_timer *t = NULL;
	int nr = 0;

	CHECK_EQ(proc_parse_timers_buf(good, &t, &nr), 0);
	CHECK_EQ(nr, 4);
	if (nr == 4) {
		CHECK(t[0].id == 0 && t[1].id == 1 && t[2].id == 2 && t[3].id == 3);
		CHECK(t[0].notify_kind == SIGEV_NONE && t[0].signo == 10);
		CHECK(t[1].notify_kind == SIGEV_THREAD_ID && t[1].notify_tid == 4493);
		CHECK(t[1].sigval == 0x1234 && t[1].signo == 35);
		CHECK(t[2].notify_kind == SIGEV_THREAD && t[2].sigval == UINT64_MAX);
		CHECK(t[3].clock_id == -6 && t[3].notify_kind == SIGEV_SIGNAL &&
		      t[3].notify_tid == 4492);
	}
	free(t);
	t = NULL;
	CHECK_EQ(proc_parse_timers_buf("", &t, &nr), 0);
	CHECK(nr == 0 && !t);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECKF(proc_parse_timers_buf(bad[i], &t, &nr) == -EINVAL, "case %zu: %s", i,
		       bad[i]);
}

/* ---- auxv ---- */

static void test_auxv_self(void)
{
	uint64_t a[256], val;
	int nr = 0;

	CHECK_EQ(proc_read_auxv(getpid(), false, a, 256, &nr), 0);
	CHECK(nr >= 4 && nr % 2 == 0);
	CHECK(a[nr - 2] == AT_NULL && a[nr - 1] == 0);
	CHECK(!proc_auxv_get(a, nr, AT_PAGESZ, &val) && val == 4096);
	CHECK(!proc_auxv_get(a, nr, AT_ENTRY, &val) && val == getauxval(AT_ENTRY));
	CHECK(!proc_auxv_get(a, nr, AT_SYSINFO_EHDR, &val) && val == getauxval(AT_SYSINFO_EHDR));
	CHECK(!proc_auxv_get(a, nr, AT_RANDOM, &val) && val == getauxval(AT_RANDOM));
	CHECK_EQ(proc_auxv_get(a, nr, 0xdead, &val), -ENOENT);
	CHECK_EQ(proc_read_auxv(getpid(), false, a, 4, &nr), -ENOSPC);
}

static void test_auxv_crafted(void)
{
	uint32_t a32[] = { AT_PAGESZ, 4096, AT_UID, 1000, AT_NULL, 0, 0xffffffff, 0x12345678 };
	uint64_t a64[] = { AT_PAGESZ, 4096, AT_HWCAP, 0xffffffffffffffffULL, AT_NULL, 0 };
	uint64_t out[16], val;
	int nr = -1;

	CHECK_EQ(proc_parse_auxv_buf(a32, sizeof(a32), true, out, 16, &nr), 0);
	CHECK_EQ(nr, 6);
	CHECK(out[0] == AT_PAGESZ && out[1] == 4096 && out[3] == 1000 && out[4] == AT_NULL);
	CHECK(!proc_auxv_get(out, nr, AT_UID, &val) && val == 1000);

	CHECK_EQ(proc_parse_auxv_buf(a64, sizeof(a64), false, out, 16, &nr), 0);
	CHECK(nr == 6 && out[3] == UINT64_MAX);
	CHECK_EQ(proc_parse_auxv_buf(a64, sizeof(a64), false, out, 6, &nr), 0);
	CHECK_EQ(proc_parse_auxv_buf(a64, sizeof(a64), false, out, 5, &nr), -ENOSPC);
	CHECK_EQ(proc_parse_auxv_buf(a64, sizeof(a64), false, out, 0, &nr), -ENOSPC);
	CHECK_EQ(proc_parse_auxv_buf(a64, sizeof(a64) - 16, false, out, 16, &nr), -EINVAL);
	CHECK_EQ(proc_parse_auxv_buf(a64, sizeof(a64) - 1, false, out, 16, &nr), -EINVAL);
	CHECK_EQ(proc_parse_auxv_buf(a64, 3, false, out, 16, &nr), -EINVAL);
	CHECK_EQ(proc_parse_auxv_buf(a64, 0, false, out, 16, &nr), 0);
	CHECK_EQ(nr, 0);
	CHECK_EQ(proc_parse_auxv_buf(a64, sizeof(a64), false, out, -1, &nr), -EINVAL);
}

/* ---- links, comm, threads ---- */

static void test_links(void)
{
	char buf[PATH_MAX], exe[PATH_MAX], cwd[PATH_MAX];
	ssize_t l;

	CHECK(getcwd(cwd, sizeof(cwd)));
	CHECK(!chdir("/tmp"));
	CHECK_EQ(proc_read_link(getpid(), "cwd", buf, sizeof(buf)), 0);
	CHECK(!strcmp(buf, "/tmp"));
	CHECK_EQ(proc_read_link(getpid(), "cwd", buf, 5), 0);
	CHECK_EQ(proc_read_link(getpid(), "cwd", buf, 4), -ENAMETOOLONG);
	CHECK(!chdir(cwd));
	CHECK_EQ(proc_read_link(getpid(), "cwd", buf, sizeof(buf)), 0);
	CHECK(!strcmp(buf, cwd));
	CHECK_EQ(proc_read_link(getpid(), "root", buf, sizeof(buf)), 0);
	CHECK(!strcmp(buf, "/"));
	l = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[l > 0 ? l : 0] = '\0';
	CHECK_EQ(proc_read_link(getpid(), "exe", buf, sizeof(buf)), 0);
	CHECK(!strcmp(buf, exe));
	CHECK_EQ(proc_read_link(getpid(), "fd/0", buf, sizeof(buf)), 0);
	CHECK_EQ(proc_read_link(getpid(), "../1/cwd", buf, sizeof(buf)), -EINVAL);
	CHECK_EQ(proc_read_link(getpid(), "/etc", buf, sizeof(buf)), -EINVAL);
	CHECK_EQ(proc_read_link(getpid(), "", buf, sizeof(buf)), -EINVAL);
	CHECK_EQ(proc_read_link(getpid(), "nonexistent", buf, sizeof(buf)), -ENOENT);
}

struct thread_arg {
	int go[2], done[2];
	pid_t tid;
};

static void *thread_fn(void *p)
{
	struct thread_arg *a = p;
	char c;

	a->tid = gettid();
	prctl(PR_SET_NAME, "worker x) y");
	if (write(a->go[1], "r", 1) != 1)
		return NULL;
	if (read(a->done[0], &c, 1) != 1)
		return NULL;
	return NULL;
}

static void test_thread(void)
{
	struct thread_arg a = { .tid = 0 };
	struct proc_status st;
	struct proc_stat ps;
	pthread_t th;
	char comm[64], c, small[4];
	pid_t *tids = NULL;
	int nr = 0, found = 0;

	CHECK(!pipe(a.go) && !pipe(a.done));
	CHECK(!pthread_create(&th, NULL, thread_fn, &a));
	CHECK(read(a.go[0], &c, 1) == 1);

	CHECK_EQ(proc_read_comm(getpid(), a.tid, comm, sizeof(comm)), 0);
	CHECKF(!strcmp(comm, "worker x) y"), "thread comm '%s'", comm);
	CHECK_EQ(proc_read_comm(getpid(), a.tid, small, sizeof(small)), -ENAMETOOLONG);
	CHECK_EQ(proc_parse_stat(getpid(), a.tid, &ps), 0);
	CHECK(!strcmp(ps.comm, "worker x) y") && ps.pid == a.tid);
	CHECK(ps.num_threads >= 2);
	CHECK_EQ(proc_parse_status(getpid(), a.tid, &st), 0);
	CHECK(st.tgid == getpid() && st.threads >= 2 && !strcmp(st.name, "worker x) y"));
	CHECK_EQ(proc_list_tasks(getpid(), &tids, &nr), 0);
	for (int i = 0; i < nr; i++)
		found += tids[i] == a.tid;
	CHECK_EQ(found, 1);
	free(tids);
	/* A tid that is not a thread of this process. */
	CHECK_EQ(proc_read_comm(getpid(), getppid(), comm, sizeof(comm)), -ESRCH);

	CHECK(write(a.done[1], "q", 1) == 1);
	pthread_join(th, NULL);
	CHECK_EQ(proc_read_comm(getpid(), a.tid, comm, sizeof(comm)), -ESRCH);
	CHECK_EQ(proc_parse_stat(getpid(), a.tid, &ps), -ESRCH);
	close(a.go[0]);
	close(a.go[1]);
	close(a.done[0]);
	close(a.done[1]);
}

/* ---- processes that are gone ---- */

static void test_vanished(void)
{
	struct proc_posix_timer *t;
	struct proc_status st;
	struct proc_stat ps;
	struct proc_vma *v;
	struct proc_fd *fds, one;
	uint64_t a[64];
	char buf[64], state = 0;
	pid_t pid;
	int nr;

	/* A zombie: still listed, but its memory and links are gone. */
	pid = fork();
	if (!pid)
		_exit(3);
	CHECK(pid > 0);
	for (int i = 0; i < 1000 && state != 'Z'; i++) {
		if (proc_thread_state(pid, pid, &state))
			break;
		usleep(1000);
	}
	CHECK_EQ(state, 'Z');
	CHECK_EQ(proc_parse_stat(pid, 0, &ps), 0);
	CHECK(ps.state == 'Z' && ps.ppid == getpid());
	v = NULL;
	CHECK_EQ(proc_parse_maps(pid, &v, &nr), 0);
	CHECK_EQ(nr, 0);
	free(v);
	CHECK_EQ(proc_read_auxv(pid, false, a, 64, &nr), 0);
	CHECK_EQ(nr, 0);
	CHECK_EQ(proc_read_link(pid, "exe", buf, sizeof(buf)), -ENOENT);
	waitpid(pid, NULL, 0);

	/* Reaped: -ESRCH from everything. */
	CHECK_EQ(proc_parse_maps(pid, &v, &nr), -ESRCH);
	CHECK_EQ(proc_parse_stat(pid, 0, &ps), -ESRCH);
	CHECK_EQ(proc_parse_stat(pid, pid, &ps), -ESRCH);
	CHECK_EQ(proc_parse_status(pid, 0, &st), -ESRCH);
	CHECK_EQ(proc_read_auxv(pid, false, a, 64, &nr), -ESRCH);
	CHECK_EQ(proc_list_fds(pid, &fds, &nr), -ESRCH);
	CHECK_EQ(proc_read_fd(pid, 0, &one), -ESRCH);
	CHECK_EQ(proc_parse_timers(pid, &t, &nr), -ESRCH);
	CHECK_EQ(proc_read_link(pid, "cwd", buf, sizeof(buf)), -ESRCH);
	CHECK_EQ(proc_read_comm(pid, 0, buf, sizeof(buf)), -ESRCH);
	CHECK_EQ(proc_read_comm(pid, pid, buf, sizeof(buf)), -ESRCH);
	CHECK_EQ(proc_thread_state(pid, pid, &state), -ESRCH);
}

/* ---- fuzz ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Random bytes biased towards the characters the parsers look at. */
static void garbage(char *b, size_t len)
{
	static const char alpha[] = "0123456789abcdefABCDEF-: ()[]/\n\t.xrwps-kB%?\\";

	for (size_t i = 0; i < len; i++)
		b[i] = rnd() % 8 ? alpha[rnd() % (sizeof(alpha) - 1)] : (char)(rnd() % 255 + 1);
	b[len] = '\0';
}

/* Flip, insert and cut characters of @src into @dst. */
static void mutate(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	for (int k = rnd() % 6 + 1; k > 0 && n; k--) {
		size_t at = rnd() % n;

		switch (rnd() % 4) {
		case 0:
			dst[at] = "0f-: ()\n\t9x"[rnd() % 11];
			break;
		case 1:
			dst[at] = (char)(rnd() % 255 + 1);
			break;
		case 2:
			n = at;
			dst[n] = '\0';
			break;
		case 3:
			if (n + 1 < cap) {
				memmove(dst + at + 1, dst + at, n - at + 1);
				dst[at] = "0123456789abcdef )(\n"[rnd() % 20];
				n++;
			}
			break;
		}
	}
}

static bool fuzz_ok(int ret)
{
	return ret == 0 || ret == -EINVAL || ret == -ENAMETOOLONG;
}

static void fuzz_one(const char *b)
{
	struct proc_vma *v = NULL;
	struct proc_posix_timer *t = NULL;
	struct proc_status st;
	struct proc_stat ps;
	struct proc_fd fd;
	uint64_t a[32];
	int nr = 0, ret;

	ret = proc_parse_smaps_buf(b, &v, &nr);
	CHECKF(fuzz_ok(ret), "smaps: %d", ret);
	if (!ret) {
		for (int i = 0; i < nr; i++) {
			CHECK(v[i].start < v[i].end);
			CHECK(v[i].path >= (const char *)(v + nr) && strlen(v[i].path) < PATH_MAX);
		}
		free(v);
	}
	ret = proc_parse_stat_buf(b, &ps);
	CHECKF(fuzz_ok(ret), "stat: %d", ret);
	if (!ret)
		CHECK(memchr(ps.comm, '\0', sizeof(ps.comm)));
	ret = proc_parse_status_buf(b, &st);
	CHECKF(fuzz_ok(ret), "status: %d", ret);
	ret = proc_parse_fdinfo_buf(b, &fd);
	CHECKF(fuzz_ok(ret), "fdinfo: %d", ret);
	ret = proc_parse_timers_buf(b, &t, &nr);
	CHECKF(fuzz_ok(ret), "timers: %d", ret);
	if (!ret)
		free(t);
	{
		struct proc_epoll_tfd *e = NULL;

		ret = proc_parse_epoll_buf(b, &e, &nr);
		CHECKF(fuzz_ok(ret), "epoll: %d", ret);
		if (!ret)
			free(e);
	}
	ret = proc_parse_auxv_buf(b, strlen(b), rnd() & 1, a, 32, &nr);
	CHECKF(ret == 0 || ret == -EINVAL || ret == -ENOSPC, "auxv: %d", ret);
}

static void test_fuzz(void)
{
	static const char *const seeds[] = {
		smaps_sample,
		"1234 (a) b) R 1 2 3 -1 -1 4194560 10 0 1 0 5 6 0 0 20 -5 3 0 12345 1000000 50 "
		"18446744073709551615 4096 8192 140000 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 10000 "
		"10100 20000 30000 30010 30010 30100 0\n",
		"Name:\tx\nUmask:\t0022\nUid:\t0\t0\t0\t0\nSigQ:\t0/96365\nCapEff:\t000001fffeffffff\n",
		"pos:\t0\nflags:\t02\nmnt_id:\t17\nino:\t17\neventfd-count:                5\n"
		"eventfd-id: 1\nclockid: 1\nit_value: (99, 999993087)\n",
		"pos:\t0\nflags:\t02\nmnt_id:\t17\nino:\t17\n"
		"tfd:        5 events:       19 data:                5  pos:0 ino:1b sdev:f\n",
		"ID: 3\nsignal: 14/0000000000000003\nnotify: signal/pid.4492\nClockID: -6\n",
	};
	char *b = malloc(8192);

	for (int i = 0; i < 20000 && !harness_subtest_failed; i++) {
		if (i % 3 == 0)
			garbage(b, rnd() % 600);
		else
			mutate(b, 8192, seeds[rnd() % (sizeof(seeds) / sizeof(seeds[0]))]);
		fuzz_one(b);
	}
	free(b);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_argv = argv;
	RUN_TEST(test_maps_self);
	if (anon_name_supported())
		RUN_TEST(test_maps_anon_name);
	else
		harness_skip("test_maps_anon_name",
			     "PR_SET_VMA_ANON_NAME fails: kernel without CONFIG_ANON_VMA_NAME");
	RUN_TEST(test_maps_many);
	RUN_TEST(test_smaps_crafted);
	RUN_TEST(test_smaps_malformed);
	RUN_TEST(test_smaps_sizes);
	RUN_TEST(test_stat_self);
	RUN_TEST(test_stat_crafted);
	RUN_TEST(test_status_self);
	RUN_TEST(test_status_crafted);
	RUN_TEST(test_fdinfo_self);
	RUN_TEST(test_fdinfo_crafted);
	RUN_TEST(test_locks_crafted);
	RUN_TEST(test_epoll_self);
	RUN_TEST(test_epoll_crafted);
	RUN_TEST(test_timers_self);
	RUN_TEST(test_timers_crafted);
	RUN_TEST(test_limits_self);
	RUN_TEST(test_auxv_self);
	RUN_TEST(test_auxv_crafted);
	RUN_TEST(test_links);
	RUN_TEST(test_thread);
	RUN_TEST(test_vanished);
	RUN_TEST(test_fuzz);
	return harness_exit();
}
