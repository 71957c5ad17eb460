# tests/cli/killed_sweep_threads.sh at every third of the last 80 calls of
# the dump: each thread leaves its page (mask, transit config, registers,
# its own config), thread 0 unmaps the mapping through the bootstrap, the
# detach (lib/inject_safety.c).
SWEEP_NAME=killed_sweep_threads_end SWEEP_MT=1 SWEEP_FROM=-80 SWEEP_STEP=${SWEEP_STEP:-3} \
	. "$SRCDIR/tests/crash/dump_sweep.sh"
