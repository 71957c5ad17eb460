# tests/cli/killed_sweep.sh at each of the last 36 calls of the dump
# (counted from an unkilled dump's; the sweep goes on until 20 dumps in a
# row end before their kill): the munmap of the safety mapping through
# the bootstrap, the signal mask, the transit SUD config, the registers,
# the thread's own config, the detach (lib/inject_safety.c).  A kill in
# that munmap used to kill the program (SIGBUS in the vDSO, by design).
SWEEP_NAME=killed_sweep_end SWEEP_FROM=-36 SWEEP_STEP=1 \
	. "$SRCDIR/tests/crash/dump_sweep.sh"
