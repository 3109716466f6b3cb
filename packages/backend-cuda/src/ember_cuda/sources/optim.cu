// Multi-tensor optimizer steps: every parameter of a param group (up to GROUP per launch) updated by one
// launch, its tensors passed by value in a struct of pointer arrays (as PyTorch's multi_tensor_apply).
// Block row blockIdx.y steps tensor blockIdx.y; its blocks stride over that tensor's elements.
#define GROUP 32

// A launch's tensors: t[slot][j] is the j-th tensor's buffer in a slot (sgd: param, grad, momentum;
// adam: param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq), n[j] its element count, a[j], b[j] and
// flag[j] its own numbers. Every field is 8 bytes wide, so the host's numpy struct has the same layout.
template <typename T> struct TensorLists {
    T *t[5][GROUP];
    i64 n[GROUP];
    double a[GROUP];
    double b[GROUP];
    i64 flag[GROUP];
};

// PyTorch's SGD; flag[j]: the momentum buffer is new (the step becomes it).
template <typename T> __global__ void sgd_step(TensorLists<T> lists, double nlr, double wd, double mom, double damp,
                                               int decay, int momentum, int nesterov, int maximize) {
    typedef typename Math<T>::type M;
    const int j = blockIdx.y;
    T *p = lists.t[0][j], *b = lists.t[2][j];
    const T *g = lists.t[1][j];
    const bool fresh = lists.flag[j] != 0;
    GRID_LOOP(i, lists.n[j]) {
        M s = maximize ? -ld(g, i) : ld(g, i);
        if (decay) s = s + (M)wd * ld(p, i);
        if (momentum) {
            st(b, i, fresh ? s : (M)mom * ld(b, i) + (M)damp * s);
            const M v = ld(b, i);
            s = nesterov ? s + (M)mom * v : v;
        }
        st(p, i, ld(p, i) + (M)nlr * s);
    }
}

// PyTorch's single-tensor Adam (AdamW when decoupled): its lerp_ (fused, one rounding, as PyTorch CUDA's and its
// AVX2/AVX512 CPU kernels; from the end's side once the weight is >= 0.5), addcmul_ and addcdiv_ roundings. a[j]: -lr / (1 - beta1^step), b[j]:
// sqrt(1 - beta2^step), for the j-th tensor's own step count.
template <typename T> __global__ void adam_step(TensorLists<T> lists, double keep, double wd, double w1, double b2,
                                                double c2, double eps, int decay, int decoupled, int amsgrad,
                                                int maximize) {
    typedef typename Math<T>::type M;
    const int j = blockIdx.y;
    T *p = lists.t[0][j], *m = lists.t[2][j], *v = lists.t[3][j], *vmax = lists.t[4][j];
    const T *g = lists.t[1][j];
    const M step_size = (M)lists.a[j], bias_correction2 = (M)lists.b[j], w = (M)w1;
    GRID_LOOP(i, lists.n[j]) {
        M grad = maximize ? -ld(g, i) : ld(g, i);
        if (decay && decoupled) st(p, i, ld(p, i) * (M)keep);
        else if (decay) grad = grad + (M)wd * ld(p, i);
        const M first = ld(m, i);
        st(m, i, w < (M)0.5 ? fma(w, grad - first, first) : fma(w - (M)1, grad - first, grad));
        st(v, i, ld(v, i) * (M)b2);
        st(v, i, ld(v, i) + (grad * (M)c2) * grad);
        M second = ld(v, i);
        if (amsgrad) {
            const M largest = ld(vmax, i);
            st(vmax, i, (largest >= second || largest != largest) ? largest : second);
            second = ld(vmax, i);
        }
        const M denom = sqrt(second) / bias_correction2 + (M)eps;
        st(p, i, ld(p, i) + (ld(m, i) * step_size) / denom);
    }
}
