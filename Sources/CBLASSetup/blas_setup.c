// SwiftDet's BLAS set-up, run before main() in every process that links Kernels (the tools,
// bench and the test binaries): OpenBLAS reads its settings from the environment once, when
// the library loads, so the only way to change them is to set them and re-execute.
//
// 1. The kernel. OpenBLAS built with DYNAMIC_ARCH picks its kernel from cpuid, but an old
//    release does not know new CPUs and falls back to its generic SSE3 kernel ("Prescott"),
//    3-4x slower (Debian's 0.3.21 on Intel Xeon family 6 model 207). When the core the library
//    chose is older than what the CPU offers, OPENBLAS_CORETYPE is set to the best core this
//    OpenBLAS has for it (swiftdet_cpu_best_core: by cpuid, among the kernel tables the
//    library exports). A value the user set is never overridden,
//    and a core name this table does not know (a newer OpenBLAS) is trusted.
// 2. The spin wait. After each call OpenBLAS's worker threads keep spinning (yielding) for
//    OPENBLAS_THREAD_TIMEOUT (2^n cycles, default 2^28, about 0.1 s): on 2 cores that steals a
//    third of the CPU from our own kernels between GEMMs. Unless set, it becomes 4 (the minimum).
// 3. The threads. In an Open MPI job with several processes on one machine
//    (OMPI_COMM_WORLD_LOCAL_SIZE > 1), OPENBLAS_NUM_THREADS becomes the CPUs it may use divided
//    by the machine's processes (at least 1), unless set: the processes share the cores instead of each
//    starting a thread per core. SwiftDet's own kernels use as many threads as OpenBLAS.
//
// When any of these variables was set here, the program re-executes itself once (/proc/self/exe, the
// same arguments); SWIFTDET_BLAS_CORE="<library's core>><chosen core>" tells the new process
// (and its children) what happened, for the `blas:` line. To run without any re-execution (a
// debugger, valgrind), set the variables. Only on x86-64 Linux with glibc (which passes argv to
// constructors); elsewhere the functions below answer "unknown" and nothing is changed. The
// constructor is meant for executables: a process that dlopens a library linking Kernels
// would be re-executed too.
#define _GNU_SOURCE  // RTLD_DEFAULT
#include "blas_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#if defined(__linux__) && defined(__x86_64__) && defined(__GLIBC__)
#include <cpuid.h>
#include <ctype.h>
#include <dlfcn.h>
#include <sched.h>

char *openblas_get_corename(void);
char *openblas_get_config(void);

#define CORE_VARIABLE "OPENBLAS_CORETYPE"
#define SPIN_VARIABLE "OPENBLAS_THREAD_TIMEOUT"
#define MARK_VARIABLE "SWIFTDET_BLAS_CORE"
#define THREADS_VARIABLE "OPENBLAS_NUM_THREADS"
#define LOCAL_SIZE_VARIABLE "OMPI_COMM_WORLD_LOCAL_SIZE"

struct cpu_features {
    char vendor[13];
    int avx, fma, avx2, avx512f, avx512cd, avx512bw, avx512dq, avx512vl, avx512bf16;
};

static unsigned long long xgetbv0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

static struct cpu_features read_cpu(void) {
    struct cpu_features f;
    memset(&f, 0, sizeof f);
    unsigned int a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return f;
    unsigned int maxLeaf = a;
    memcpy(f.vendor, &b, 4);
    memcpy(f.vendor + 4, &d, 4);
    memcpy(f.vendor + 8, &c, 4);
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    int osxsave = (c >> 27) & 1;
    // The OS must save the YMM (bits 1-2) and ZMM/opmask (bits 5-7) state, or the registers
    // cannot be used (a hypervisor may hide them).
    unsigned long long xcr0 = osxsave ? xgetbv0() : 0;
    int ymm = (xcr0 & 0x6) == 0x6, zmm = (xcr0 & 0xe6) == 0xe6;
    f.avx = ymm && ((c >> 28) & 1);
    f.fma = f.avx && ((c >> 12) & 1);
    if (maxLeaf < 7 || !__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
    unsigned int maxSubleaf = a;
    f.avx2 = f.avx && ((b >> 5) & 1);
    f.avx512f = zmm && ((b >> 16) & 1);
    f.avx512dq = f.avx512f && ((b >> 17) & 1);
    f.avx512cd = f.avx512f && ((b >> 28) & 1);
    f.avx512bw = f.avx512f && ((b >> 30) & 1);
    f.avx512vl = f.avx512f && ((b >> 31) & 1);
    if (maxSubleaf >= 1 && __get_cpuid_count(7, 1, &a, &b, &c, &d)) f.avx512bf16 = f.avx512f && ((a >> 5) & 1);
    return f;
}

// Whether this OpenBLAS carries the kernel table of `core` (a DYNAMIC_ARCH build exports one
// gotoblas_<CORE> table per kernel it was built with). A build that exports none is taken to
// have them all: OpenBLAS itself falls back to its own detection for a name it lacks.
static int library_has_core(const char *core) {
    if (dlsym(RTLD_DEFAULT, "gotoblas_PRESCOTT") == NULL) return 1;
    char symbol[48] = "gotoblas_";
    size_t n = strlen(symbol);
    for (const char *c = core; *c != '\0' && n + 1 < sizeof symbol; c++) symbol[n++] = (char)toupper((unsigned char)*c);
    symbol[n] = '\0';
    return dlsym(RTLD_DEFAULT, symbol) != NULL;
}

const char *swiftdet_cpu_best_core(void) {
    struct cpu_features f = read_cpu();
    int amd = strcmp(f.vendor, "AuthenticAMD") == 0 || strcmp(f.vendor, "HygonGenuine") == 0;
    // The kernels the CPU can run, best first; the first one this OpenBLAS has wins.
    const char *candidates[6];
    int count = 0;
    if (f.avx512f && f.avx512cd && f.avx512bw && f.avx512dq && f.avx512vl) {
        if (f.avx512bf16) candidates[count++] = "Cooperlake";
        candidates[count++] = "SkylakeX";
    }
    if (f.avx2 && f.fma) {
        candidates[count++] = amd ? "Zen" : "Haswell";
        candidates[count++] = amd ? "Haswell" : "Zen";
    }
    if (f.avx) candidates[count++] = "Sandybridge";
    for (int i = 0; i < count; i++)
        if (library_has_core(candidates[i])) return candidates[i];
    return "";
}

const char *swiftdet_cpu_summary(void) {
    static char text[160];
    struct cpu_features f = read_cpu();
    snprintf(text, sizeof text, "%s%s%s%s%s%s%s%s%s%s", f.vendor[0] ? f.vendor : "unknown-vendor",
             f.avx512f ? " avx512f" : "", f.avx512cd ? " avx512cd" : "", f.avx512bw ? " avx512bw" : "",
             f.avx512dq ? " avx512dq" : "", f.avx512vl ? " avx512vl" : "", f.avx512bf16 ? " avx512bf16" : "",
             f.avx2 ? " avx2" : "", f.fma ? " fma" : "", f.avx ? " avx" : "");
    return text;
}

int swiftdet_blas_core_rank(const char *name) {
    static const char *const sse[] = {"Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom",
        "Core2", "Penryn", "Dunnington", "Nehalem", "Athlon", "Opteron", "Opteron(SSE3)", "Barcelona",
        "Nano", "Bobcat"};
    static const char *const avx[] = {"Sandybridge", "Bulldozer", "Piledriver", "Steamroller", "Excavator"};
    if (name == NULL) return 0;
    for (size_t i = 0; i < sizeof sse / sizeof sse[0]; i++) if (strcasecmp(name, sse[i]) == 0) return 1;
    for (size_t i = 0; i < sizeof avx / sizeof avx[0]; i++) if (strcasecmp(name, avx[i]) == 0) return 2;
    if (strcasecmp(name, "Haswell") == 0 || strcasecmp(name, "Zen") == 0) return 3;
    if (strcasecmp(name, "SkylakeX") == 0) return 4;
    if (strcasecmp(name, "Cooperlake") == 0) return 5;
    return 0;
}

const char *swiftdet_blas_choose_core(const char *library, const char *best) {
    int libraryRank = swiftdet_blas_core_rank(library);
    if (best == NULL || best[0] == '\0' || libraryRank == 0) return NULL;
    return swiftdet_blas_core_rank(best) > libraryRank ? best : NULL;
}

__attribute__((constructor)) static void swiftdet_blas_setup(int argc, char **argv, char **envp) {
    (void)argc;
    (void)envp;
    int changed = 0;
    const char *config = openblas_get_config();
    if (getenv(CORE_VARIABLE) == NULL && config != NULL && strstr(config, "DYNAMIC_ARCH") != NULL) {
        const char *library = openblas_get_corename();
        const char *best = swiftdet_blas_choose_core(library, swiftdet_cpu_best_core());
        if (best != NULL) {
            char mark[96];
            snprintf(mark, sizeof mark, "%s>%s", library, best);
            setenv(CORE_VARIABLE, best, 1);
            setenv(MARK_VARIABLE, mark, 1);
            changed = 1;
        }
    }
    if (getenv(SPIN_VARIABLE) == NULL) {
        setenv(SPIN_VARIABLE, "4", 1);
        changed = 1;
    }
    const char *local = getenv(LOCAL_SIZE_VARIABLE);
    if (getenv(THREADS_VARIABLE) == NULL && local != NULL && atoi(local) > 1) {
        // The CPUs this process may run on (a cpuset or cgroup may allow fewer than online).
        cpu_set_t allowed;
        long cores = sched_getaffinity(0, sizeof allowed, &allowed) == 0 ? CPU_COUNT(&allowed) : sysconf(_SC_NPROCESSORS_ONLN);
        long share = cores / atoi(local);
        char text[24];
        snprintf(text, sizeof text, "%ld", share >= 1 ? share : 1);
        setenv(THREADS_VARIABLE, text, 1);
        changed = 1;
    }
    if (!changed || argv == NULL || argv[0] == NULL) return;
    execv("/proc/self/exe", argv);
    // execv returned: it failed (no /proc). Carry on with the library as it loaded; the
    // variables stay set for child processes, which is what they would have got anyway.
}

#else  // not x86-64 Linux with glibc: no cpuid, no re-execution

const char *swiftdet_cpu_best_core(void) { return ""; }
const char *swiftdet_cpu_summary(void) { return "unknown-vendor"; }
int swiftdet_blas_core_rank(const char *name) { (void)name; return 0; }
const char *swiftdet_blas_choose_core(const char *library, const char *best) {
    (void)library;
    (void)best;
    return NULL;
}

#endif
