# less and vim, full-screen programs in a tmux window, dumped with
# --shell-job and restored with --shell-job in another tmux window, come
# back in their own terminal mode: one key, without Enter, is acted upon
# (less: G goes to the end of the file; vim: ihello<Esc>ZZ writes the file
# and quits), which a terminal left in line mode would hold back.
. "$SRCDIR/tests/cli/lib.bash"

for p in tmux less vim; do
	if ! command -v $p >/dev/null; then
		skip less_vim "$p is not installed"
		finish
	fi
done

SOCK=$TMP/tmux.sock
tm() { tmux -S "$SOCK" "$@"; }
wait_for() {
	for _ in $(seq 400); do "$@" && return 0; sleep 0.05; done
	return 1
}
gone() { ! [ -e "/proc/$1" ]; }
# The restore is done: the program's own executable, and no tracer any more.
restored() {
	[ "$(readlink "/proc/$1/exe")" = "$2" ] && grep -q '^TracerPid:[[:space:]]*0$' "/proc/$1/status"
}
screen_has() { tm capture-pane -p -t "$1" | grep -q "$2"; }
# The PID of the program in window $1: the only child of its shell.
child_of_pane() {
	local sh
	sh=$(tm display -p -t "$1" '#{pane_pid}') && cat "/proc/$sh/task/$sh/children" 2>/dev/null | tr -d ' '
}

tm -f /dev/null new-session -d -s t -x 100 -y 30 "exec sleep 100000" ||
	{ fail tmux "cannot start a tmux server"; finish; }
trap 'tm kill-server 2>/dev/null; cleanup' EXIT

seq -f 'line %g' 500 >"$TMP/text"
printf 'world\n' >"$TMP/edit"

# $1 name, $2 window of the program, $3 command, $4 text on its screen once up.
# Sets tp; dumps it and restores it in window $2+10.
dump_restore() {
	local w=$2
	# sh is its parent, and reaps it (see tests/cli/shell_job.sh).
	tm new-window -t "t:$w" "TERM=screen $3 9>&-; exec sleep 100000"
	tp=
	if ! wait_for screen_has "t:$w" "$4" || ! tp=$(child_of_pane "t:$w") || [ -z "$tp" ]; then
		fail "$1" "did not start: $(tm capture-pane -p -t "t:$w" | head -5)"
		return 1
	fi
	if ! run 0 "$SUDCR" dump -t "$tp" -D "$TMP/img-$1" --shell-job || ! wait_for gone "$tp"; then
		fail "$1" "dump: status $status: $err"
		return 1
	fi
	tm new-window -t "t:$((w + 10))" "$SUDCR restore -D $TMP/img-$1 --shell-job 2>$TMP/$1.err; echo \$? >$TMP/$1.rc; exec sleep 100000"
	if ! wait_for restored "$tp" "$(readlink -f "$(command -v "$1")")"; then
		fail "$1" "restore: $(cat "$TMP/$1.rc" "$TMP/$1.err" 2>&1)"
		return 1
	fi
}

t=less
if dump_restore less 1 "less $TMP/text" "line 29"; then
	# The restored less is waiting for a key; it has not redrawn the new window.
	if tm send-keys -t t:11 G && wait_for screen_has t:11 "line 500" &&
	   ! screen_has t:11 "^G"; then	# and G not echoed at the start of a line
		pass $t
	else
		fail $t "after G: $(tm capture-pane -p -t t:11 | grep . | tail -3); restore: $(cat "$TMP/less.err" 2>&1)"
	fi
	tm send-keys -t t:11 q
	wait_for test -s "$TMP/less.rc"
fi
kill -9 "$tp" 2>/dev/null

t=vim
if dump_restore vim 2 "vim -u NONE -i NONE -N -n $TMP/edit" "world"; then
	# No Enter anywhere: in line mode none of these keys would reach vim.
	if tm send-keys -t t:12 i h e l l o Escape Z Z && wait_for test -s "$TMP/vim.rc" &&
	   [ "$(cat "$TMP/vim.rc")" = 0 ] && [ "$(cat "$TMP/edit")" = helloworld ]; then
		pass $t
	else
		fail $t "file: $(cat "$TMP/edit"); rc: $(cat "$TMP/vim.rc" 2>&1); screen: $(tm capture-pane -p -t t:12 | grep . | tail -3); restore: $(cat "$TMP/vim.err" 2>&1)"
	fi
fi
kill -9 "$tp" 2>/dev/null
tm kill-server
finish
