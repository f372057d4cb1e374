// Open MPI (Debian's libopenmpi-dev, pkg-config ompi-c). Its predefined handles (MPI_COMM_WORLD,
// MPI_SUM, MPI_FLOAT, MPI_IN_PLACE, ...) are macros taking the address of library globals,
// which Swift cannot import: these inline getters return them.
#include <mpi.h>

static inline MPI_Comm swiftdet_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Op swiftdet_mpi_op_sum(void) { return MPI_SUM; }
static inline MPI_Op swiftdet_mpi_op_max(void) { return MPI_MAX; }
static inline MPI_Datatype swiftdet_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype swiftdet_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype swiftdet_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype swiftdet_mpi_int64(void) { return MPI_INT64_T; }
static inline void *swiftdet_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline int swiftdet_mpi_success(void) { return MPI_SUCCESS; }
static inline int swiftdet_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
