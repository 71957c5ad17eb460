#!/bin/bash
# The main job: checkpoint a process that intercepts its own syscalls with
# Syscall User Dispatch, kill it, bring it back with the same PID, and watch
# it go on counting with its interception intact.
set -u
cd "$(dirname "$0")/.."
SUDCR=${SUDCR:-build/sudcr}
COUNTER=${COUNTER:-build/demo/sud_counter}
IMG=$(mktemp -d /tmp/sudcr-demo.XXXXXX)
trap 'rm -rf "$IMG"' EXIT

# Only stdin/stdout/stderr for the patient: inherited fds (make's jobserver,
# say) are not ours to checkpoint.
for fd in /proc/$$/fd/*; do
	n=${fd##*/}
	[ "$n" -gt 2 ] 2>/dev/null && [ "$n" != 255 ] && eval "exec $n>&-"
done

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "starting a program that intercepts getppid() with SUD"
# Its stdout and stderr are a pipe to a cat of ours, so that it is the job's (--shell-job
# gives the restored process sudcr restore's stdout instead) whatever the
# demo's stdout is: a file the demo goes on writing to after the dump
# would be a changed file, which a restore refuses.
exec 3> >(exec cat)
"$COUNTER" 16 >&3 2>&3 3>&- &
PID=$!
exec 3>&-
sleep 1.1

say "sudcr sud get $PID   (its SUD config, read through ptrace)"
"$SUDCR" sud get "$PID" || exit 1

say "sudcr syscall $PID getppid   (injected: runs for real, the handler never sees it)"
echo "real parent is $$; sudcr says:"
"$SUDCR" syscall "$PID" getppid || exit 1
sleep 0.5

say "sudcr dump -t $PID -D $IMG --shell-job   (checkpoint; the process is killed)"
"$SUDCR" dump -t "$PID" -D "$IMG" --shell-job || exit 1
wait "$PID" 2>/dev/null
if kill -0 "$PID" 2>/dev/null; then echo "process still there?"; exit 1; fi
echo "process $PID is gone"

say "sudcr show -D $IMG"
"$SUDCR" show -D "$IMG" | sed -n '1,10p;/signals:/,$p'

say "sudcr restore -D $IMG --shell-job   (same PID, same count, still intercepting)"
"$SUDCR" restore -D "$IMG" --shell-job &
RESTORER=$!
sleep 0.7
echo "--- sudcr sud get $PID after restore:"
"$SUDCR" sud get "$PID"
wait "$RESTORER"
status=$?
say "the restored process exited with status $status"
exit $status
