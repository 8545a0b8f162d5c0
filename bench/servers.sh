# `./dataflow up` servers and other processes started by the bench/* commands that run them on
# their own (bench/tpch, bench/s3); sourced after bench/common.sh. Every process started with
# start_server, start_process or run is stopped by stop_all, which the command's EXIT trap calls.
# Uses $scale, the TPC-H scale the command runs at.

servers=()
children=()

# SIGTERM runs a server's shutdown hook; a process that does not stop in 30 s is killed.
stop() {
  local pid="$1"
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 300); do alive "$pid" || break; sleep 0.1; done
  alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# A process that exited stays a zombie until waited for, so kill -0 alone would call it alive.
alive() {
  local state
  state="$(ps -o stat= -p "$1" 2>/dev/null)" && [[ "$state" != Z* ]]
}

stop_all() {
  for pid in "${children[@]}" "${servers[@]}"; do stop "$pid"; done
}

# run CMD…: runs a long command in the background and waits for it, because bash defers a trapped
# signal until a foreground command ends, but interrupts `wait` at once.
run() {
  "$@" &
  children+=($!)
  wait $!
}

# Two distinct free ports on the loopback interface, held open together so they differ.
free_ports() {
  python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])'
}

# start_process LOG PATTERN TIMEOUT_S CMD…: runs CMD in the background, its output in LOG, and
# waits until a line of LOG matches PATTERN. Sets pid, and jvm_t0: when the process was first seen
# running java (`./dataflow` execs it after its checks).
start_process() {
  local log="$1" pattern="$2" timeout="$3" t0 name
  shift 3
  name="$(basename "$log" .log)"
  # created here, not by the child's redirection, so the wait below never reads an older file
  : >"$log"
  t0="$(date +%s%N)"
  jvm_t0=""
  "$@" >>"$log" 2>&1 &
  pid=$!
  servers+=("$pid")
  until grep -q "$pattern" "$log"; do
    if [ -z "$jvm_t0" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = java ]; then
      jvm_t0="$(date +%s%N)"
    fi
    if ! alive "$pid"; then
      echo "$name exited before it was up:" >&2
      tail -n 40 "$log" >&2
      exit 1
    fi
    if (($(date +%s%N) - t0 > timeout * 1000000000)); then
      echo "$name was not up after $timeout s:" >&2
      tail -n 40 "$log" >&2
      exit 1
    fi
    sleep 0.02
  done
}

# start_server LOG TIMEOUT_S ARGS…: runs `./dataflow up ARGS…` and waits for its ready line.
# Sets pid (the launcher execs java, so this is the server's JVM), wall_ms (from launch), jvm_ms
# (from the exec of java, so without the launcher's checks or a rebuild) and up_s (the server's own
# figure). No password, and no metadata store or warehouse from the environment: the servers are
# private to this run, on 127.0.0.1.
start_server() {
  local log="$1" timeout="$2" t0 now
  shift 2
  t0="$(date +%s%N)"
  start_process "$log" '^Dataflow is up in' "$timeout" \
    env -u DATAFLOW_PASSWORD -u DATAFLOW_CATALOG_URL -u DATAFLOW_WAREHOUSE \
    ./dataflow up --host 127.0.0.1 "$@"
  now="$(date +%s%N)"
  wall_ms=$(((now - t0) / 1000000))
  jvm_ms=$(((now - ${jvm_t0:-$t0}) / 1000000))
  up_s="$(sed -n 's/^Dataflow is up in \([0-9.]*\) s.*/\1/p' "$log" | head -n 1)"
}

load() {
  echo "   $(bench_load)"
}

memory() {
  awk '/^(VmRSS|VmHWM):/ { printf "%s %.0f MiB  ", $1, $2 / 1024 }' "/proc/$1/status"
}

# check_data DIR: refuses a directory holding a lake made at another scale, or left half-loaded:
# both would skew the comparison.
check_data() {
  local dir="$1"
  if [ -f "$dir/.bench-scale" ]; then
    [ "$(cat "$dir/.bench-scale")" = "$scale" ] && return 0
    echo "$dir holds TPC-H at scale $(cat "$dir/.bench-scale"), not $scale: delete it or choose another directory" >&2
    exit 1
  fi
  if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
    echo "$dir exists but was not completely loaded by a bench command: delete it and run again" >&2
    exit 1
  fi
}

# start_lake LOG MARK ARGS…: start_server with `--demo-scale $scale ARGS…`, which generates the
# TPC-H lake into Iceberg unless MARK/.bench-scale says an earlier run did (checked by check_data
# MARK before). Prints the load time of a new lake, or the start-up time.
start_lake() {
  local log="$1" mark="$2" fresh=true
  shift 2
  [ -f "$mark/.bench-scale" ] && fresh=false
  start_server "$log" 7200 --demo-scale "$scale" "$@"
  if $fresh; then
    echo "$scale" >"$mark/.bench-scale"
    echo "   generated and loaded the lake: ready line ${wall_ms} ms after launch, ${jvm_ms} ms after the exec of java;" \
      "server: $(grep -o 'Demo lake.*loaded in [0-9]* ms' "$log" || echo 'no load line')"
  else
    echo "   lake already loaded; ready line ${wall_ms} ms after launch, ${jvm_ms} ms after the exec of java;" \
      "server's own figure: ${up_s} s"
  fi
  if grep -q '^Building Dataflow' "$log"; then
    echo "   (the time after launch includes the launcher rebuilding Dataflow)"
  fi
}

# parquet DIR: the bytes and number of the Parquet files under DIR
parquet() {
  find "$1" -name '*.parquet' -printf '%s\n' |
    awk '{ bytes += $1; files++ } END { printf "%.1f MiB in %d files", bytes / 1048576, files }'
}
