#!/usr/bin/env bash
# tools/dist_train.sh CONFIG N [train options...]: data-parallel training in N processes on
# this machine, started by Open MPI's mpirun (mmdetection's tools/dist_train.sh, over MPI
# instead of torch.distributed). Each process gets its machine's cores / its processes there
# as threads (OpenBLAS and SwiftDet's kernels). Across machines, give mpirun a host file
# through MPIRUN_ARGS, e.g.
#   MPIRUN_ARGS="--hostfile hosts" tools/dist_train.sh CONFIG 4
# (hosts: one "name slots=K" line per machine; the same paths on every machine, passwordless
# ssh; see the README). Runs the release build (swift build -c release --product train).
set -euo pipefail
exec "$(dirname "$0")/dist_run.sh" train "$@"
