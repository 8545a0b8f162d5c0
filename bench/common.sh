# Shared by the bench/* commands (sourced, not run).
#   BENCH_NO_BUILD=1 bench/…   skip the build step and run what bench/target holds: the smoke test
#                              in ./mvnw verify (BenchSmokeIT) sets it, since Maven has just built
#                              the jars and filled bench/target/lib; a nested Maven run inside the
#                              build would be fragile. By hand, leave it unset.

# the launcher bench/tpch starts servers with must not build either
if [ "${BENCH_NO_BUILD:-}" = 1 ]; then
  export DATAFLOW_NO_BUILD=1
fi

# bench_build MODULE[,MODULE…]: builds the modules and what they need, offline, tests not compiled
# (so a test being edited cannot stop a run); nothing when BENCH_NO_BUILD=1.
bench_build() {
  if [ "${BENCH_NO_BUILD:-}" = 1 ]; then
    echo "Not building (BENCH_NO_BUILD=1): running the jars in bench/target as they are"
    return 0
  fi
  echo "Building Dataflow and the benchmark…"
  ./mvnw -o -q -B -Dmaven.test.skip=true -pl "$1" -am package
}

# The machine a figure was measured on, and the commit.
bench_machine() {
  echo "Machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)),"\
    "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM;"\
    "$(java -version 2>&1 | head -n 1); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
}

# Other work on the machine skews every figure: printed so a reader can tell a quiet run from a busy one.
bench_load() {
  echo "load average (1, 5, 15 min)${1:+ $1}: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# The benchmark's own jar and its dependencies, as `package` left them.
BENCH_CLASSPATH="bench/target/dataflow-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*"
