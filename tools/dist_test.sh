#!/usr/bin/env bash
# tools/dist_test.sh CONFIG CHECKPOINT N [test options...]: the test loop in N processes
# started by Open MPI's mpirun (mmdetection's tools/dist_test.sh): each process predicts its
# share of the test set, rank 0 gathers the results, evaluates once and writes --out.
# MPIRUN_ARGS as in tools/dist_train.sh.
set -euo pipefail
exec "$(dirname "$0")/dist_run.sh" test "$@"
