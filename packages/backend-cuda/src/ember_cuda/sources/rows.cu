// Kernels reducing along one axis of a contiguous array seen as (rows / inner, n, inner): one thread per
// row of n elements, element r of row w at (w / inner) * n * inner + w % inner + r * inner.

__device__ __forceinline__ i64 row_start(i64 w, i64 n, i64 inner) { return (w / inner) * n * inner + w % inner; }

// The largest element of a row (NaN if any is NaN).
template <typename T> __device__ typename Math<T>::type row_max(const T *x, i64 at, i64 n, i64 step) {
    typedef typename Math<T>::type M;
    M m = ld(x, at);
    for (i64 r = 1; r < n; r++) {
        const M v = ld(x, at + r * step);
        m = (v > m || v != v) ? v : m;
    }
    return m;
}

// sum(exp(x - m)) over a row.
template <typename T> __device__ typename Math<T>::type row_exp_sum(const T *x, i64 at, i64 n, i64 step,
                                                                    typename Math<T>::type m) {
    typedef typename Math<T>::type M;
    M s = 0, comp = 0;
    for (i64 r = 0; r < n; r++) COMPENSATED_ADD(s, comp, exp(ld(x, at + r * step) - m));
    return s;
}

// softmax (log_ 0) or log_softmax (log_ 1) along the axis, max-shifted.
template <typename T> __global__ void softmax(T *out, const T *x, i64 rows, i64 n, i64 inner, int log_) {
    typedef typename Math<T>::type M;
    GRID_LOOP(w, rows) {
        const i64 at = row_start(w, n, inner);
        const M m = row_max(x, at, n, inner);
        const M s = row_exp_sum(x, at, n, inner, m);
        for (i64 r = 0; r < n; r++) {
            const i64 k = at + r * inner;
            const M shifted = ld(x, k) - m;
            st(out, k, log_ ? shifted - log(s) : exp(shifted) / s);
        }
    }
}

// softmax's gradient (grad - sum(grad * y)) * y, or log_softmax's grad - exp(y) * sum(grad) (log_ 1).
template <typename T> __global__ void softmax_backward(T *out, const T *g, const T *y, i64 rows, i64 n, i64 inner,
                                                       int log_) {
    typedef typename Math<T>::type M;
    GRID_LOOP(w, rows) {
        const i64 at = row_start(w, n, inner);
        M s = 0, comp = 0;
        for (i64 r = 0; r < n; r++) {
            const i64 k = at + r * inner;
            COMPENSATED_ADD(s, comp, log_ ? ld(g, k) : ld(g, k) * ld(y, k));
        }
        for (i64 r = 0; r < n; r++) {
            const i64 k = at + r * inner;
            st(out, k, log_ ? ld(g, k) - exp(ld(y, k)) * s : (ld(g, k) - s) * ld(y, k));
        }
    }
}

// Per-row losses -log_softmax(x)[row, target[row]] and the probabilities softmax(x) of (rows, classes)
// logits. Targets are clamped into [0, classes): core checks them on the device and raises at the next
// synchronisation, meanwhile no thread reads outside the row.
// probs = softmax of the row at `at`; returns the row's log-probability of class t.
template <typename T> __device__ typename Math<T>::type softmax_row(T *probs, const T *x, i64 at, i64 classes,
                                                                   i64 t) {
    typedef typename Math<T>::type M;
    const M m = row_max(x, at, classes, 1);
    const M s = row_exp_sum(x, at, classes, 1, m);
    for (i64 c = 0; c < classes; c++) st(probs, at + c, exp(ld(x, at + c) - m) / s);
    return (ld(x, at + t) - m) - log(s);
}

template <typename T> __global__ void cross_entropy(T *losses, T *probs, const T *x, const i64 *target, i64 rows,
                                                    i64 classes) {
    GRID_LOOP(row, rows) {
        i64 t = target[row];
        t = t < 0 ? 0 : (t >= classes ? classes - 1 : t);
        st(losses, row, -softmax_row(probs, x, row * classes, classes, t));  // -0. for a log-probability of 0
    }
}

// cross_entropy with the targets checked here (the contract's cross_entropy_checked): out rows (2, N) =
// the losses (0 where the target is ignore_index or outside [0, classes), whose logits are not read) over
// the weights (0 where ignored, else 1); flags[row] = a target outside the range that is not ignored, else
// 0, written only where flags[row] is 0 when `keep` (an earlier call's pending flags).
template <typename T> __global__ void cross_entropy_checked(T *out, T *probs, i64 *flags, const T *x,
                                                            const i64 *target, i64 ignore_index, i64 keep,
                                                            i64 rows, i64 classes) {
    typedef typename Math<T>::type M;
    GRID_LOOP(row, rows) {
        const i64 t = target[row];
        const bool kept = t != ignore_index, inside = t >= 0 && t < classes;
        const M log_probability = softmax_row(probs, x, row * classes, classes, inside ? t : 0);
        st(out, row, kept && inside ? -log_probability : (M)0);
        st(out, rows + row, kept ? (M)1 : (M)0);
        if (!keep || flags[row] == 0) flags[row] = kept && !inside ? t : 0;
    }
}

// (probs - one_hot(target)) * grad * scale per row: grad with step 0 (0-d) or 1 (per row); the scale read
// from scale_buffer (a 0-d buffer) when it is not null, else `scale`; rows where kept (when not null) is 0
// give 0, whatever their gradient.
template <typename T> __global__ void cross_entropy_backward(T *out, const T *g, i64 gs, const T *probs,
                                                             const i64 *target, const T *scale_buffer,
                                                             typename Math<T>::type scale, const bool *kept,
                                                             i64 rows, i64 classes) {
    typedef typename Math<T>::type M;
    GRID_LOOP(i, rows * classes) {
        const i64 row = i / classes, c = i % classes;
        // A dropped row's factor is a select, not a product (a NaN or inf gradient there gives 0), times its
        // probabilities: NaN where an infinite logit made them NaN, as the CPU's and PyTorch's
        const M factor = kept && !kept[row] ? (M)0 : ld(g, row * gs) * (scale_buffer ? ld(scale_buffer, 0) : scale);
        const M value = ld(probs, i) * factor;
        st(out, i, target[row] == c ? value - factor : value);
    }
}
