# tests/cli/killed_sweep.sh for a program of four threads with different
# SUD setups (tests/targets/sud_status_mt), whose threads share one safety
# mapping: sudcr killed at a sample of its calls in the middle of a dump
# leaves every thread running on exactly (counts, mask, affinity, SUD),
# and the next dump leaves no mapping more than before and stores none of
# sudcr's.  The beginning and end, where each thread's windows are, are
# sampled by killed_sweep_threads_start and _end (and swept call by call
# by `make crash-test`).
SWEEP_NAME=killed_sweep_threads SWEEP_MT=1 SWEEP_FROM=150 SWEEP_TO=-150 SWEEP_STEP=${SWEEP_STEP:-97} \
	. "$SRCDIR/tests/crash/dump_sweep.sh"
