# A tmux server with vim in its window (tmux -S SOCK new-session -d 'vim
# FILE'), an edit typed into vim, dumped as a tree (dump -t of the server,
# which kills it) and restored with -d: the same vim, driven by tmux
# send-keys, still has the edit in its buffer, and :wq writes it to the
# file.  The server holds the pty's master and the listening socket;
# vim, in its own session, has the slave as its controlling terminal.
# tmux_shell_vim: the same with an interactive bash in the window that
# runs vim as its foreground job: after the restore bash still leads the
# session, vim's group is the terminal's foreground group, :wq writes the
# file, and bash takes the terminal back and runs the next command.
#
# The tree runs in a private IPC namespace, held by a sleep: a process
# with threads (vim) has a SysV undo list, and the dump refuses it while
# semaphore sets exist in its namespace (lib/kinds/sysv_sem.c), which
# other programs on a shared machine may leave behind.
. "$SRCDIR/tests/cli/lib.bash"

t=tmux_vim
have_terminals $t || finish

SOCK=$TMP/tmux.sock
FILE=$TMP/file.txt
wait_for() {
	for _ in $(seq 400); do "$@" && return 0; sleep 0.05; done
	return 1
}
gone() { ! [ -e "/proc/$1" ]; }
in_ns() { nsenter -t "$holder" -i "$@"; }
tm() { tmux -S "$SOCK" "$@"; }
screen_has() { tm capture-pane -p -t t | grep -q "$1"; }
# No tmux command is still being served: the server holds its listening
# socket alone (a client's connection, closed while the server has not
# read it yet, is a socket the dump refuses: tests/cli/net_*).
server_idle() {
	[ "$(for f in /proc/$1/fd/*; do readlink "$f"; done 2>/dev/null | grep -c '^socket:')" = 1 ]
}

unshare -i sleep 100000 </dev/null >/dev/null 2>&1 9>&- &
holder=$!
pids+=("$holder")
# The holder is in an IPC namespace of its own once unshare has made it.
ns_made() {
	local ns
	ns=$(readlink "/proc/$holder/ns/ipc") && [ "$ns" != "$(readlink /proc/$$/ns/ipc)" ]
}
if ! wait_for ns_made; then
	skip $t "cannot make an IPC namespace (unshare -i): the holder $holder is $(grep State "/proc/$holder/status" 2>&1)"
	finish
fi
trap 'tm kill-server 2>/dev/null; cleanup' EXIT

printf 'hello\n' >"$FILE"
# HOME: no vimrc nor viminfo of the user's.
if ! HOME=$TMP in_ns tmux -S "$SOCK" -f /dev/null new-session -d -s t -x 80 -y 24 \
	"vim $FILE" </dev/null 9>&- || ! wait_for screen_has hello; then
	fail $t "tmux and vim did not start: $(tm capture-pane -p -t t 2>&1 | head -3)"
	finish
fi
server=$(tm display -p '#{pid}')
vim=$(tm display -p -t t '#{pane_pid}')
tm send-keys -t t gg O e d i t - b e f o r e Escape
if ! wait_for screen_has edit-before; then
	fail $t "the edit is not on the screen: $(tm capture-pane -p -t t | head -3)"
	finish
fi

if ! wait_for server_idle "$server" || ! run 0 in_ns "$SUDCR" dump -t "$server" -D "$TMP/img" ||
   ! wait_for gone "$server" || ! wait_for gone "$vim"; then
	fail $t "dump: status $status: $err"
	finish
fi
if ! run 0 in_ns "$SUDCR" restore -D "$TMP/img" -d; then
	fail $t "restore: status $status: $err"
	finish
fi
if [ "$(tm display -p '#{pid}' 2>&1)" != "$server" ] ||
   [ "$(tm display -p -t t '#{pane_pid}' 2>&1)" != "$vim" ]; then
	fail $t "the restored server does not answer as $server with vim $vim: $(tm display -p '#{pid} #{pane_pid}' 2>&1)"
	finish
fi
tm send-keys -t t : w q Enter
if wait_for gone "$vim" && [ "$(cat "$FILE")" = "$(printf 'edit-before\nhello')" ]; then
	pass $t
else
	fail $t "after :wq the file holds '$(cat "$FILE")'; screen: $(tm capture-pane -p -t t 2>&1 | grep . | tail -3)"
fi
tm kill-server 2>/dev/null
wait_for gone "$server"

t=tmux_shell_vim
rm -rf "$TMP/img"
printf 'hello\n' >"$FILE"
if ! HOME=$TMP in_ns tmux -S "$SOCK" -f /dev/null new-session -d -s t -x 80 -y 24 \
	"PS1='prompt\$ ' exec bash --norc --noprofile -i" </dev/null 9>&- ||
   ! wait_for screen_has 'prompt\$'; then
	fail $t "tmux and bash did not start: $(tm capture-pane -p -t t 2>&1 | head -3)"
	finish
fi
server=$(tm display -p '#{pid}')
sh=$(tm display -p -t t '#{pane_pid}')
tm send-keys -t t "vim $FILE" Enter
if ! wait_for screen_has hello; then
	fail $t "vim did not start: $(tm capture-pane -p -t t | head -3)"
	finish
fi
tm send-keys -t t gg O e d i t - b e f o r e Escape
vim=$(cat "/proc/$sh/task/$sh/children" | tr -d ' ')
if ! wait_for screen_has edit-before || [ -z "$vim" ]; then
	fail $t "the edit is not on the screen: $(tm capture-pane -p -t t | head -3)"
	finish
fi
if ! wait_for server_idle "$server" || ! run 0 in_ns "$SUDCR" dump -t "$server" -D "$TMP/img" ||
   ! wait_for gone "$server" || ! wait_for gone "$sh" || ! wait_for gone "$vim"; then
	fail $t "dump: status $status: $err"
	finish
fi
if ! run 0 in_ns "$SUDCR" restore -D "$TMP/img" -d; then
	fail $t "restore: status $status: $err"
	finish
fi
# tpgid (field 8 of stat): the terminal's foreground group, vim's.
fg=$(awk '{ sub(/.*\) /, ""); print $6 }' "/proc/$sh/stat")
tm send-keys -t t : w q Enter
if [ "$fg" = "$vim" ] && wait_for gone "$vim" &&
   [ "$(cat "$FILE")" = "$(printf 'edit-before\nhello')" ] &&
   tm send-keys -t t 'echo done-$((6 * 7))' Enter && wait_for screen_has done-42; then
	pass $t
else
	fail $t "foreground group $fg (vim $vim); the file holds '$(cat "$FILE")'; screen: $(tm capture-pane -p -t t 2>&1 | grep . | tail -3)"
fi
tm kill-server 2>/dev/null
finish
