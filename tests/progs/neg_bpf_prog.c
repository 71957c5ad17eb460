// SPDX-License-Identifier: MIT
/*
 * Failure path: a BPF program (a socket filter returning 0) is refused
 * with one line naming the fd; the process goes on and the program still
 * attaches to a socket.
 */
// sudcr-test: dump-fails fd 3: anon_inode:bpf-prog (BPF program): not supported
#include <linux/bpf.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "progs/prog.h"

int main(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr a = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER, .insn_cnt = 2,
			     .insns = (uint64_t)(uintptr_t)insns, .license = (uint64_t)(uintptr_t)"MIT" };
	int fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a)), sv[2];

	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		prog_skip("bpf(BPF_PROG_LOAD): %s (not allowed here)", strerror(errno));
	SETUP(fd == 3, "BPF_PROG_LOAD gave %d: %s", fd, strerror(errno));

	prog_ready();
	prog_wait();

	CHECK(!socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) &&
	      !setsockopt(sv[0], SOL_SOCKET, SO_ATTACH_BPF, &fd, sizeof(fd)), "SO_ATTACH_BPF: %s",
	      strerror(errno));
	prog_done();
}
