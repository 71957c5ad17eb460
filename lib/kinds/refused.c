// SPDX-License-Identifier: MIT
/*
 * Fds that are refused, whatever they hold: kernel objects whose state
 * sudcr cannot read or make again.  The dump asks fd_refused() before the
 * kinds (lib/dump/files.c, classify()); an fd it knows is refused with one
 * line naming the fd, what it is and why, and the process goes on as it
 * was:
 *   io_uring instances, userfaultfds, BPF maps, programs and other BPF
 *   objects, perf events, and KVM: /dev/kvm, its virtual machines and
 *   vCPUs.
 * A kind for one of them, once there is one, goes before this in the
 * order of the questions: its file, and its line here removed.
 */
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fd.h"
#include "fd_dump.h"

/* /dev/kvm: the misc device KVM_MINOR. */
#define KVM_MAJOR	10
#define KVM_MINOR	232

static const struct {
	const char *link;	/* the fd's link; a trailing '*': any text after it */
	const char *what, *why;
} refused[] = {
	{ "anon_inode:[io_uring]", "io_uring instance",
	  "its rings, registered files and buffers and the requests in flight cannot be dumped" },
	{ "anon_inode:[userfaultfd]", "userfaultfd",
	  "the ranges it handles and the faults waiting on it cannot be dumped" },
	{ "anon_inode:bpf-map", "BPF map", "BPF objects cannot be dumped" },
	{ "anon_inode:bpf-prog", "BPF program", "BPF objects cannot be dumped" },
	{ "anon_inode:bpf*", "BPF object", "BPF objects cannot be dumped" },
	{ "anon_inode:btf", "BPF type information", "BPF objects cannot be dumped" },
	{ "anon_inode:[perf_event]", "perf event",
	  "its counters, sampling state and ring buffer cannot be dumped" },
	{ "anon_inode:kvm-vm", "KVM virtual machine", "KVM virtual machines cannot be dumped" },
	{ "anon_inode:kvm-vcpu:*", "KVM vCPU", "KVM virtual machines cannot be dumped" },
	{ "anon_inode:kvm-*", "KVM object", "KVM virtual machines cannot be dumped" },
};

bool fd_refused(struct dump_fd *x)
{
	const char *l = x->p->link;

	if (S_ISCHR(x->st.st_mode) && major(x->st.st_rdev) == KVM_MAJOR &&
	    minor(x->st.st_rdev) == KVM_MINOR) {
		x->what = "KVM";
		x->why = "KVM virtual machines cannot be dumped";
		return true;
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		size_t n = strlen(refused[i].link);
		bool prefix = refused[i].link[n - 1] == '*';

		if (prefix ? !strncmp(l, refused[i].link, n - 1) : !strcmp(l, refused[i].link)) {
			x->what = refused[i].what;
			x->why = refused[i].why;
			return true;
		}
	}
	return false;
}
