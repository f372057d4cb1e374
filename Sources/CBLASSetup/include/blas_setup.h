// SwiftDet's BLAS set-up, done before main() in every executable and test process that links
// Kernels (see blas_setup.c).
#ifndef SWIFTDET_BLAS_SETUP_H
#define SWIFTDET_BLAS_SETUP_H

/// The best OpenBLAS core for this CPU (cpuid and the OS's saved register state) that the
/// loaded OpenBLAS has: "Cooperlake" or "SkylakeX" (AVX-512 F/CD/BW/DQ/VL), "Zen" (AMD) or
/// "Haswell" (AVX2 + FMA), "Sandybridge" (AVX), or "" when the CPU offers no more than SSE3.
const char *swiftdet_cpu_best_core(void);

/// The CPU's vendor string ("GenuineIntel", "AuthenticAMD", ...) and its vector features, e.g.
/// "AuthenticAMD avx512f avx512cd avx512bw avx512dq avx512vl avx512bf16 avx2 fma avx".
const char *swiftdet_cpu_summary(void);

/// The rank of an OpenBLAS x86-64 core name: 1 SSE-only cores (Prescott, Core2, Nehalem,
/// Barcelona, ...), 2 AVX (Sandybridge, Bulldozer family), 3 AVX2 (Haswell, Zen), 4 AVX-512
/// (SkylakeX), 5 Cooperlake; 0 for a name this table does not know (a newer core).
int swiftdet_blas_core_rank(const char *name);

/// The core to ask for when the library chose `library` on a CPU whose best is `best`: `best`
/// when it ranks higher, else NULL (the library's choice is as good, `best` is "", or `library`
/// is a core this table does not know, which a newer OpenBLAS is trusted with).
const char *swiftdet_blas_choose_core(const char *library, const char *best);

#endif
