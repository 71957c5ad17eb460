# sudcr killed at 12 of its calls spread over the middle of a dump of a
# busy SUD program (the share of tests/crash/dump_sweep.sh that `make
# test` can afford; `make crash-test` sweeps every call): the program runs
# on exactly, and once one more dump has touched it, it has no mapping
# more than before, its vDSO and SUD config are as before and the image
# holds none of sudcr's mappings.  A killed sudcr used to leave its safety
# page and scratch area mapped for good, and the next dump stored them in
# the image.  The beginning and the end, where the bootstrap and the
# transit configs are (lib/inject_safety.c), are swept call by call by
# killed_sweep_start and killed_sweep_end.
SWEEP_NAME=killed_sweep SWEEP_FROM=60 SWEEP_TO=-60 SWEEP_STEP=${SWEEP_STEP:-53} \
	. "$SRCDIR/tests/crash/dump_sweep.sh"
