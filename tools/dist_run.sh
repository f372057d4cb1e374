#!/usr/bin/env bash
# The launcher behind tools/dist_train.sh and tools/dist_test.sh:
#   dist_run.sh train CONFIG N [args]   /   dist_run.sh test CONFIG CHECKPOINT N [args]
# Paths are taken from the current folder, as the tools take them.
set -euo pipefail
tool=${1:?usage: dist_run.sh train|test ...}
shift
case "$tool" in
    train) (( $# >= 2 )) || { echo "usage: tools/dist_train.sh CONFIG N [train options]" >&2; exit 2; }
           positional=("$1"); n=$2; shift 2 ;;
    test)  (( $# >= 3 )) || { echo "usage: tools/dist_test.sh CONFIG CHECKPOINT N [test options]" >&2; exit 2; }
           positional=("$1" "$2"); n=$3; shift 3 ;;
    *) echo "dist_run.sh: unknown tool $tool (train or test)" >&2; exit 2 ;;
esac
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "tools/dist_$tool.sh: the number of processes must be a positive integer, not '$n'" >&2; exit 2; }
mpirun=$(command -v mpirun.openmpi || true)
[ -n "$mpirun" ] || { echo "tools/dist_$tool.sh: mpirun.openmpi not found (tools/install-deps.sh installs openmpi-bin)" >&2; exit 1; }
package="$(cd "$(dirname "$0")/.." && pwd)"
swift build --package-path "$package" -c release --product "$tool" >&2
bin="$(swift build --package-path "$package" -c release --show-bin-path)/$tool"

# Each process takes its machine's CPUs divided by the processes there (OPENBLAS_NUM_THREADS,
# set by SwiftDet's start-up from OMPI_COMM_WORLD_LOCAL_SIZE unless given, and then passed on).
extra=()
if [ -n "${OPENBLAS_NUM_THREADS:-}" ]; then extra+=(-x OPENBLAS_NUM_THREADS); fi
# Open MPI refuses to run as root unless told; it gives a machine one slot per physical core,
# so more processes than that need oversubscribing.
if [ "$(id -u)" = 0 ]; then extra+=(--allow-run-as-root); fi
cores=$(lscpu -p=Core,Socket 2>/dev/null | grep -v '^#' | sort -u | wc -l)
(( cores >= 1 )) || cores=$(nproc)
if (( n > cores )); then extra+=(--oversubscribe); fi
# shellcheck disable=SC2086
exec "$mpirun" -np "$n" --bind-to none "${extra[@]}" ${MPIRUN_ARGS:-} "$bin" "${positional[@]}" --launcher mpi "$@"
