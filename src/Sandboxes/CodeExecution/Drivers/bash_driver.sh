# A persistent bash for the Sandboxes library: bash -c "$DRIVER" sandboxes-bash context NONCE
# The protocol is the Python driver's: requests "ID LENGTH\n" + code on stdin, control lines "\x1fsbx:NONCE JSON" on
# stdout (start and end lines on stderr too). Each request runs with eval in this shell, so variables, functions, the
# working directory and exports survive; the end line carries the status of its last command. An interrupt (SIGINT to
# this shell and its children) ends the request that runs, not the shell.
__sbx_mark=$'\x1f'"sbx:$2 "
__sbx_emit() {
  printf '%s%s\n' "$__sbx_mark" "$1"
  if [ -n "$2" ]; then printf '%s%s\n' "$__sbx_mark" "$1" >&2; fi
}
# The requests come on a private descriptor; the code gets an empty stdin.
exec {__sbx_ctl}<&0 </dev/null
__sbx_run() {
  trap 'trap - INT; return 130' INT
  eval "$1"
}
trap '' INT
__sbx_emit "{\"t\":\"ready\",\"pid\":$$,\"version\":\"${BASH_VERSION}\"}" both
while IFS=' ' read -r -u "$__sbx_ctl" __sbx_id __sbx_len; do
  IFS= LC_ALL=C read -r -d '' -N "$__sbx_len" -u "$__sbx_ctl" __sbx_code
  __sbx_emit "{\"t\":\"start\",\"id\":\"$__sbx_id\"}" both
  __sbx_run "$__sbx_code"
  __sbx_status=$?
  trap '' INT
  __sbx_emit "{\"t\":\"end\",\"id\":\"$__sbx_id\",\"status\":\"ok\",\"exit\":$__sbx_status}" both
done
