// Shared by every fused source (prepended by ember_cuda/fused_sources.py): 64-bit indices, the
// grid-stride loop, float16 storage with float arithmetic, and loads and stores in the arithmetic type.
typedef long long i64;

// A float16 element, converted with PTX so that no header (cuda_fp16.h) is needed under NVRTC.
struct __align__(2) half_t { unsigned short bits; };

// The type an element is computed in: its own, float for float16 (rounded once when stored).
template <typename T> struct Math { typedef T type; };
template <> struct Math<half_t> { typedef float type; };

template <typename T> __device__ __forceinline__ T ld(const T *p, i64 i) { return p[i]; }
template <typename T, typename V> __device__ __forceinline__ void st(T *p, i64 i, V v) { p[i] = (T)v; }
#ifdef __CUDA_ARCH__
__device__ __forceinline__ float ld(const half_t *p, i64 i) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(p[i].bits));
    return f;
}
__device__ __forceinline__ void st(half_t *p, i64 i, float v) {
    unsigned short bits;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(bits) : "f"(v));
    p[i].bits = bits;
}
#else  // a host build of the kernels (tests/cuda_host.py runs them on the CPU): the compiler's _Float16
__device__ __forceinline__ float ld(const half_t *p, i64 i) {
    _Float16 h;
    __builtin_memcpy(&h, &p[i].bits, 2);
    return (float)h;
}
__device__ __forceinline__ void st(half_t *p, i64 i, float v) {
    const _Float16 h = (_Float16)v;
    __builtin_memcpy(&p[i].bits, &h, 2);
}
#endif

// i over [0, n), each thread taking every (threads in the grid)-th index.
#define GRID_LOOP(i, n) \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (i64)blockDim.x * gridDim.x)

// s += term, compensated (Kahan), so a long row sums as exactly as numpy's pairwise sum.
#define COMPENSATED_ADD(s, comp, term) do { \
        const M d_ = (term) - comp; const M sum_ = s + d_; \
        comp = isfinite(sum_) ? (sum_ - s) - d_ : (M)0; s = sum_; \
    } while (0)
