// SPDX-License-Identifier: MIT
/*
 * Failure path: a KVM virtual machine (its /dev/kvm closed) is refused
 * with one line naming the fd; the process goes on and its VM still takes
 * a vCPU.
 */
// sudcr-test: dump-fails fd 3: anon_inode:kvm-vm (KVM virtual machine): not supported
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "progs/prog.h"

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR), vm, vcpu;

	if (kvm < 0)
		prog_skip("/dev/kvm: %s", strerror(errno));
	/* The VM at fd 3, /dev/kvm closed: a VM by itself. */
	SETUP(dup2(kvm, 10) == 10 && !close(kvm), "dup2");
	vm = ioctl(10, KVM_CREATE_VM, 0);
	if (vm < 0)
		prog_skip("KVM_CREATE_VM: %s", strerror(errno));
	SETUP(vm == 3 && !close(10), "VM at fd %d", vm);

	prog_ready();
	prog_wait();

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	CHECK(vcpu >= 0, "KVM_CREATE_VCPU: %s", strerror(errno));
	prog_done();
}
