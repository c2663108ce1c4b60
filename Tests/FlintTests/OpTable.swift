@testable import Flint

/// The op cases of Scripts/make_fixtures.py, by the same names, as Swift closures.
/// Each is checked against PyTorch's values and by gradcheck.
enum OpTable {
    static let ops: [String: @Sendable ([Tensor]) -> Tensor] = [
        "add": { $0[0] + $0[1] },
        "add_broadcast": { $0[0] + $0[1] },
        "add_scalar": { $0[0] + 2 },
        "sub_broadcast": { $0[0] - $0[1] },
        "rsub_scalar": { 2 - $0[0] },
        "mul_broadcast": { $0[0] * $0[1] },
        "mul_scalar": { $0[0] * 3 },
        "div": { $0[0] / $0[1] },
        "div_scalar_lhs": { 2 / $0[0] },
        "neg": { -$0[0] },
        "pow_scalar": { pow($0[0], 2.5) },
        "pow_tensor": { $0[0].pow($0[1]) },
        "exp": { exp($0[0]) },
        "log": { log($0[0]) },
        "sin": { sin($0[0]) },
        "cos": { cos($0[0]) },
        "tanh": { tanh($0[0]) },
        "sigmoid": { sigmoid($0[0]) },
        "relu": { relu($0[0]) },
        "sqrt": { sqrt($0[0]) },
        "abs": { abs($0[0]) },
        "sum": { $0[0].sum() },
        "sum_dim": { $0[0].sum(dim: 1) },
        "sum_dims_keepdim": { $0[0].sum(dims: [0, 2], keepDim: true) },
        "mean": { $0[0].mean() },
        "mean_dim": { $0[0].mean(dim: -1) },
        "max": { $0[0].max() },
        "min": { $0[0].min() },
        "norm": { $0[0].norm() },
        "mm": { $0[0].mm($0[1]) },
        "matmul_vec_vec": { $0[0].matmul($0[1]) },
        "matmul_mat_vec": { $0[0].matmul($0[1]) },
        "matmul_vec_mat": { $0[0].matmul($0[1]) },
        "matmul_batched": { $0[0].matmul($0[1]) },
        "matmul_broadcast": { $0[0].matmul($0[1]) },
        "bmm": { $0[0].bmm($0[1]) },
        "linear": { $0[0].linear(weight: $0[1], bias: $0[2]) },
        "linear_3d_nobias": { $0[0].linear(weight: $0[1]) },
        "view": { $0[0].reshape([3, 2]) },
        "reshape_t": { $0[0].t().reshape([6]) },
        "t": { $0[0].t() },
        "transpose": { $0[0].transpose(0, 2) },
        "permute": { $0[0].permute([1, 2, 0]) },
        "squeeze": { $0[0].squeeze() },
        "squeeze_dim": { $0[0].squeeze(dim: 1) },
        "unsqueeze": { $0[0].unsqueeze(dim: 1) },
        "expand": { $0[0].expand([2, 3, 4]) },
        "flatten": { $0[0].flatten(startDim: 1) },
        "select": { $0[0][1] },
        "select_col": { $0[0][.all, 2] },
        "slice": { $0[0][1..<4] },
        "slice_step": { $0[0][.stride(2)] },
        "cat": { Tensor.cat([$0[0], $0[1]]) },
        "cat_dim1": { Tensor.cat([$0[0], $0[1]], dim: 1) },
        "stack": { Tensor.stack([$0[0], $0[1]], dim: 1) },
        "softmax": { $0[0].softmax(dim: 1) },
        "log_softmax": { $0[0].logSoftmax(dim: 0) },
        "where": { Tensor.where($0[0] .> 0, $0[0], $0[1]) },
        "clone": { $0[0].clone() },
        "conv2d": { $0[0].conv2d(weight: $0[1], bias: $0[2], stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2) },
        "conv2d_plain": { $0[0].conv2d(weight: $0[1]) },
        "im2col": { $0[0].im2col(kernelSize: [2, 3], padding: 1, stride: [2, 1]) },
        "col2im": { $0[0].col2im(outputSize: [4, 5], kernelSize: 2) },
        "max_pool2d": { $0[0].maxPool2d(kernelSize: 3, stride: 2, padding: 1) },
        "avg_pool2d": { $0[0].avgPool2d(kernelSize: 2, stride: [2, 1], padding: 1) },
        "adaptive_avg_pool2d": { $0[0].adaptiveAvgPool2d(outputSize: [3, 2]) },
        "gather": { $0[0].gather(dim: 1, index: Tensor([[0, 3], [1, 1], [2, 0]])) },
        "scatter_add": { $0[0].scatterAdd(dim: 1, index: Tensor([[0, 3], [1, 1], [2, 0]]), source: $0[1]) },
        "erf": { $0[0].erf() },
        "bce_with_logits": { $0[0].binaryCrossEntropyWithLogits(target: $0[1]) },
        "clamp": { $0[0].clamp(min: -0.5, max: 0.6) },
        "inplace_chain": { inputs in
            let (a, b) = (inputs[0], inputs[1])
            let y = a * 1
            y += b * b
            y *= a
            y -= 1
            y /= b + 3
            return y
        },
        "index_assign": { inputs in
            let a = inputs[0]
            let z = Tensor.zeros([3, 4], dtype: .float64)
            z[1] = a * 2
            z[.all, 0] = pow(a[0..<3], 2)
            return z * z
        },
    ]
}
