// Elementwise fused kernels over n contiguous elements. An operand with step 0 is one element read
// everywhere (a 0-d gradient, a broadcast scalar); with step 1 it is read at i.

template <typename T> __global__ void relu(T *y, const T *x, i64 xs, i64 n) {
    typedef typename Math<T>::type M;
    GRID_LOOP(i, n) {
        const M v = ld(x, i * xs);
        st(y, i, v < (M)0 ? (M)0 : v);  // NaN and -0. pass, as in PyTorch
    }
}

template <typename T> __global__ void sigmoid(T *y, const T *x, i64 xs, i64 n) {
    typedef typename Math<T>::type M;
    GRID_LOOP(i, n) st(y, i, (M)1 / ((M)1 + exp(-ld(x, i * xs))));
}

template <typename T> __global__ void tanh_backward(T *out, const T *g, i64 gs, const T *y, i64 ys, i64 n) {
    typedef typename Math<T>::type M;
    GRID_LOOP(i, n) {
        const M b = ld(y, i * ys);
        st(out, i, ld(g, i * gs) * ((M)1 - b * b));
    }
}

template <typename T> __global__ void sigmoid_backward(T *out, const T *g, i64 gs, const T *y, i64 ys, i64 n) {
    typedef typename Math<T>::type M;
    GRID_LOOP(i, n) {
        const M b = ld(y, i * ys);
        st(out, i, (ld(g, i * gs) * ((M)1 - b)) * b);
    }
}

template <typename T> __global__ void threshold_backward(T *out, const T *g, i64 gs, const T *x, i64 xs,
                                                         typename Math<T>::type threshold, i64 n) {
    typedef typename Math<T>::type M;
    GRID_LOOP(i, n) st(out, i, ld(x, i * xs) <= threshold ? (M)0 : ld(g, i * gs));
}

// max(-x, 0) + (1 - y) x + log(1 + exp(-|x|)): PyTorch's stable form, summed in the CPU backend's order.
template <typename T> __global__ void binary_cross_entropy_with_logits(T *out, const T *x, i64 xs, const T *y,
                                                                       i64 ys, i64 n) {
    typedef typename Math<T>::type M;
    GRID_LOOP(i, n) {
        const M a = ld(x, i * xs), b = ld(y, i * ys);
        const M clipped = (-a > (M)0 || a != a) ? -a : (M)0;
        st(out, i, (clipped + ((M)1 - b) * a) + log1p(exp(-fabs(a))));
    }
}

template <typename T> __global__ void mse_loss(T *out, const T *a, i64 as, const T *b, i64 bs, i64 n) {
    typedef typename Math<T>::type M;
    GRID_LOOP(i, n) {
        const M d = ld(a, i * as) - ld(b, i * bs);
        st(out, i, d * d);
    }
}

// The sum (or mean: NaN when n is 0) of the squared differences, by one block of a power of two threads,
// at most REDUCE_THREADS.
#define REDUCE_THREADS 512
template <typename T> __global__ void mse_loss_reduced(T *out, const T *a, i64 as, const T *b, i64 bs, i64 n,
                                                       int mean) {
    typedef typename Math<T>::type M;
    __shared__ M partial[REDUCE_THREADS];
    M s = 0;
    for (i64 i = threadIdx.x; i < n; i += blockDim.x) {
        const M d = ld(a, i * as) - ld(b, i * bs);
        s += d * d;
    }
    partial[threadIdx.x] = s;
    __syncthreads();
    for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) partial[threadIdx.x] += partial[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) st(out, 0, mean ? partial[0] / (M)n : partial[0]);
}

// (input - target) * scale * grad, in the CPU backend's order.
template <typename T> __global__ void mse_loss_backward(T *out, const T *g, i64 gs, const T *a, i64 as, const T *b,
                                                        i64 bs, typename Math<T>::type scale, i64 n) {
    GRID_LOOP(i, n) st(out, i, ((ld(a, i * as) - ld(b, i * bs)) * scale) * ld(g, i * gs));
}

// addmm's epilogue: y += bias, on a (rows, cols) y and a bias broadcast to it (element strides, 0 for a
// broadcast dim), after cuBLAS wrote y = a @ b.
template <typename T> __global__ void bias_add(T *y, i64 ys0, i64 ys1, const T *bias, i64 bs0, i64 bs1, i64 rows,
                                               i64 cols) {
    GRID_LOOP(i, rows * cols) {
        const i64 r = i / cols, c = i % cols;
        st(y, r * ys0 + c * ys1, ld(y, r * ys0 + c * ys1) + ld(bias, r * bs0 + c * bs1));
    }
}
