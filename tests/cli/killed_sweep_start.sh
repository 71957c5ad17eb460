# tests/cli/killed_sweep.sh at each of the first 36 calls of the dump:
# the seize, the transit SUD config, the bootstrap in the vDSO and its
# mmap of the safety mapping, the registers into the safety page
# (lib/inject_safety.c).  A kill in that mmap used to kill the program
# (SIGBUS in the vDSO, by design); one in its neighbours, if the order of
# SUD off and the registers were the other way round, would leave it
# running unintercepted.
SWEEP_NAME=killed_sweep_start SWEEP_FROM=1 SWEEP_TO=36 SWEEP_STEP=1 \
	. "$SRCDIR/tests/crash/dump_sweep.sh"
