# tests/cli/killed_sweep_threads.sh at every third of the calls 25 to 110
# of the dump, where each thread gets its transit SUD config (a range of
# the safety page for the thread with a selector, a selector byte of the
# page for the one with a range; none for the inclusive one), its page
# and SUD off, and thread 0 (no SUD) maps the mapping through the
# bootstrap (lib/inject_safety.c).
SWEEP_NAME=killed_sweep_threads_start SWEEP_MT=1 SWEEP_FROM=25 SWEEP_TO=110 SWEEP_STEP=${SWEEP_STEP:-3} \
	. "$SRCDIR/tests/crash/dump_sweep.sh"
