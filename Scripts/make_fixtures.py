#!/usr/bin/env python3
"""Records PyTorch 2.13 reference values that Flint's tests compare against.

usage: python3 -m pip install torch==2.13.0+cpu && python3 Scripts/make_fixtures.py

Writes Tests/FlintTests/Fixtures/torch_fixtures.json (committed; tests never need
PyTorch):
  ops       forward values, input gradients for a random upstream gradient, and the
            grad_fn name of each op case (names match Tests/FlintTests/OpTable.swift)
  printing  print(t) strings for tensors built from explicit values
  seeds     what the seed tutorial's steps print under torch.manual_seed(0)
  functional  torch.autograd.functional results for three closures
  customFunctions  custom torch.autograd.Function values, gradients and node names
  hooks     the order hooks run in and the gradients they replace
  forwardMode  forward_ad tangents of three closures and the anomaly-mode message
"""
import json
import os
import re

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "FlintTests",
                   "Fixtures", "torch_fixtures.json")
gen = torch.Generator().manual_seed(1234)


def rand(shape, lo=-1.0, hi=1.0):
    return (torch.rand(shape, generator=gen, dtype=torch.float64) * (hi - lo) + lo)


def away(shape, lo=0.2, hi=1.0):
    """Values with |x| in [lo, hi] and random sign (away from kinks at 0)."""
    mag = rand(shape, lo, hi)
    sign = torch.where(torch.rand(shape, generator=gen) < 0.5, -1.0, 1.0).double()
    return mag * sign


# name -> (input makers, function); the Swift OpTable has the same names and functions.
OPS = {
    "add": ([lambda: rand([2, 3]), lambda: rand([2, 3])], lambda a, b: a + b),
    "add_broadcast": ([lambda: rand([3, 1, 4]), lambda: rand([2, 4])], lambda a, b: a + b),
    "add_scalar": ([lambda: rand([3])], lambda a: a + 2),
    "sub_broadcast": ([lambda: rand([2, 3]), lambda: rand([3])], lambda a, b: a - b),
    "rsub_scalar": ([lambda: rand([3])], lambda a: 2 - a),
    "mul_broadcast": ([lambda: rand([2, 3]), lambda: rand([2, 1])], lambda a, b: a * b),
    "mul_scalar": ([lambda: rand([2, 2])], lambda a: a * 3),
    "div": ([lambda: rand([2, 3]), lambda: rand([2, 3], 0.5, 2.0)], lambda a, b: a / b),
    "div_scalar_lhs": ([lambda: rand([4], 0.5, 2.0)], lambda a: 2 / a),
    "neg": ([lambda: rand([3])], lambda a: -a),
    "pow_scalar": ([lambda: rand([2, 3], 0.5, 2.0)], lambda a: a ** 2.5),
    "pow_tensor": ([lambda: rand([2, 3], 0.5, 2.0), lambda: rand([3], -1.0, 2.0)], lambda a, b: a ** b),
    "exp": ([lambda: rand([2, 3])], torch.exp),
    "log": ([lambda: rand([2, 3], 0.2, 3.0)], torch.log),
    "sin": ([lambda: rand([5])], torch.sin),
    "cos": ([lambda: rand([5])], torch.cos),
    "tanh": ([lambda: rand([2, 3])], torch.tanh),
    "sigmoid": ([lambda: rand([2, 3])], torch.sigmoid),
    "relu": ([lambda: away([2, 3])], torch.relu),
    "sqrt": ([lambda: rand([4], 0.2, 3.0)], torch.sqrt),
    "abs": ([lambda: away([4])], torch.abs),
    "sum": ([lambda: rand([2, 3])], lambda a: a.sum()),
    "sum_dim": ([lambda: rand([2, 3, 4])], lambda a: a.sum(dim=1)),
    "sum_dims_keepdim": ([lambda: rand([2, 3, 4])], lambda a: a.sum(dim=[0, 2], keepdim=True)),
    "mean": ([lambda: rand([2, 3])], lambda a: a.mean()),
    "mean_dim": ([lambda: rand([2, 3])], lambda a: a.mean(dim=-1)),
    "max": ([lambda: rand([2, 3])], lambda a: a.max()),
    "min": ([lambda: rand([2, 3])], lambda a: a.min()),
    "norm": ([lambda: rand([2, 3])], lambda a: a.norm()),
    "mm": ([lambda: rand([2, 3]), lambda: rand([3, 4])], lambda a, b: a.mm(b)),
    "matmul_vec_vec": ([lambda: rand([3]), lambda: rand([3])], torch.matmul),
    "matmul_mat_vec": ([lambda: rand([2, 3]), lambda: rand([3])], torch.matmul),
    "matmul_vec_mat": ([lambda: rand([3]), lambda: rand([3, 2])], torch.matmul),
    "matmul_batched": ([lambda: rand([2, 2, 3]), lambda: rand([3, 4])], torch.matmul),
    "matmul_broadcast": ([lambda: rand([2, 1, 2, 3]), lambda: rand([3, 3, 2])], torch.matmul),
    "linear": ([lambda: rand([3, 4]), lambda: rand([2, 4]), lambda: rand([2])], F.linear),
    "linear_3d_nobias": ([lambda: rand([2, 3, 4]), lambda: rand([5, 4])], F.linear),
    "bmm": ([lambda: rand([2, 2, 3]), lambda: rand([2, 3, 2])], torch.bmm),
    "view": ([lambda: rand([2, 3])], lambda a: a.view(3, 2)),
    "reshape_t": ([lambda: rand([2, 3])], lambda a: a.t().reshape(6)),
    "t": ([lambda: rand([2, 3])], lambda a: a.t()),
    "transpose": ([lambda: rand([2, 3, 4])], lambda a: a.transpose(0, 2)),
    "permute": ([lambda: rand([2, 3, 4])], lambda a: a.permute(1, 2, 0)),
    "squeeze": ([lambda: rand([2, 1, 3])], lambda a: a.squeeze()),
    "squeeze_dim": ([lambda: rand([2, 1, 3])], lambda a: a.squeeze(1)),
    "unsqueeze": ([lambda: rand([2, 3])], lambda a: a.unsqueeze(1)),
    "expand": ([lambda: rand([3, 1])], lambda a: a.expand(2, 3, 4)),
    "flatten": ([lambda: rand([2, 3, 4])], lambda a: a.flatten(1)),
    "select": ([lambda: rand([3, 4])], lambda a: a[1]),
    "select_col": ([lambda: rand([3, 4])], lambda a: a[:, 2]),
    "slice": ([lambda: rand([5, 2])], lambda a: a[1:4]),
    "slice_step": ([lambda: rand([7])], lambda a: a[::2]),
    "cat": ([lambda: rand([2, 3]), lambda: rand([1, 3])], lambda a, b: torch.cat([a, b])),
    "cat_dim1": ([lambda: rand([2, 3]), lambda: rand([2, 2])], lambda a, b: torch.cat([a, b], dim=1)),
    "stack": ([lambda: rand([2, 3]), lambda: rand([2, 3])], lambda a, b: torch.stack([a, b], dim=1)),
    "softmax": ([lambda: rand([2, 4])], lambda a: a.softmax(dim=1)),
    "log_softmax": ([lambda: rand([2, 4])], lambda a: a.log_softmax(dim=0)),
    "where": ([lambda: rand([2, 3]), lambda: rand([3])], lambda a, b: torch.where(a > 0, a, b)),
    "clone": ([lambda: rand([3])], lambda a: a.clone()),
    "conv2d": ([lambda: rand([2, 4, 5, 6]), lambda: rand([6, 2, 3, 2]), lambda: rand([6])],
               lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2)),
    "conv2d_plain": ([lambda: rand([1, 2, 5, 5]), lambda: rand([3, 2, 3, 3])], lambda x, w: F.conv2d(x, w)),
    "im2col": ([lambda: rand([2, 3, 4, 5])], lambda x: F.unfold(x, (2, 3), padding=1, stride=(2, 1))),
    "col2im": ([lambda: rand([2, 12, 12])], lambda x: F.fold(x, output_size=(4, 5), kernel_size=2)),
    "max_pool2d": ([lambda: rand([2, 3, 6, 5])], lambda x: F.max_pool2d(x, 3, stride=2, padding=1)),
    "avg_pool2d": ([lambda: rand([2, 2, 6, 5])], lambda x: F.avg_pool2d(x, 2, stride=(2, 1), padding=1)),
    "adaptive_avg_pool2d": ([lambda: rand([2, 2, 7, 5])], lambda x: F.adaptive_avg_pool2d(x, (3, 2))),
    "gather": ([lambda: rand([3, 4])], lambda x: x.gather(1, torch.tensor([[0, 3], [1, 1], [2, 0]]))),
    "scatter_add": ([lambda: rand([3, 4]), lambda: rand([3, 2])],
                    lambda x, s: x.scatter_add(1, torch.tensor([[0, 3], [1, 1], [2, 0]]), s)),
    "erf": ([lambda: rand([5])], torch.erf),
    "bce_with_logits": ([lambda: rand([2, 3], -3.0, 3.0), lambda: rand([2, 3], 0.0, 1.0)],
                        lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction="none")),
    "clamp": ([lambda: away([6])], lambda x: x.clamp(-0.5, 0.6)),
    "inplace_chain": ([lambda: rand([3]), lambda: rand([3])], lambda a, b: _inplace_chain(a, b)),
    "index_assign": ([lambda: rand([4])], lambda a: _index_assign(a)),
}


def _inplace_chain(a, b):
    y = a * 1
    y += b * b
    y *= a
    y -= 1
    y /= b + 3
    return y


def _index_assign(a):
    z = torch.zeros(3, 4, dtype=torch.float64)
    z[1] = a * 2
    z[:, 0] = a[:3] ** 2
    return z * z


def number(v):
    """A JSON-safe float: non-finite values are written as the strings nan, inf, -inf."""
    v = float(v)
    if v != v:
        return "nan"
    if v in (float("inf"), float("-inf")):
        return "inf" if v > 0 else "-inf"
    return v


def flat(t):
    return [number(v) for v in t.detach().reshape(-1).tolist()]


def record_ops():
    out = {}
    for name, (makers, fn) in OPS.items():
        xs = [m().requires_grad_(True) for m in makers]
        y = fn(*xs)
        g = rand(list(y.shape))
        grads = torch.autograd.grad(y, xs, g, allow_unused=True)
        out[name] = {
            "inputs": [{"shape": list(x.shape), "values": flat(x)} for x in xs],
            "output": {"shape": list(y.shape), "values": flat(y)},
            "gradOutput": flat(g),
            "grads": [flat(gr) if gr is not None else None for gr in grads],
            "gradFn": y.grad_fn.name() if y.grad_fn is not None else None,
        }
    return out


def record_printing():
    cases = []

    def add(values, shape, dtype="float32", requires_grad=False):
        dt = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64,
              "bool": torch.bool}[dtype]
        t = torch.tensor(values, dtype=torch.float64).reshape(shape).to(dt)
        if requires_grad:
            t.requires_grad_(True)
        cases.append({"values": flat(t.double()),
                      "shape": shape, "dtype": dtype, "requiresGrad": requires_grad,
                      "text": str(t)})

    add([1, 1, 1, 1], [2, 2], requires_grad=True)
    add([27.0], [])
    add([4.5, 4.5, 4.5, 4.5], [2, 2])
    add([-913.6132, -411.7198, 307.4206], [3])
    add([51.2, 512.0, 0.0512], [3])
    add([0.1, 1.0, 0.0001], [3])
    add([1e-5, 2.0, 3.0, 1e9], [2, 2])
    add([1.0, 2.0], [2], dtype="float64")
    add([0.0, -0.0, 1.5], [3])
    add([float("nan"), float("inf"), -float("inf"), 1.25], [4])
    add([float("nan"), 2.0], [2])
    add([0.0, 0.0], [2])
    add([1, 2, 300000], [3], dtype="int64")
    add([-5, 12], [2], dtype="int64")
    add([1, 0, 1], [3], dtype="bool")
    add([123456789.0, 1.0], [2])
    add([1e10, 1.0], [2])
    add([0.5, 1e-5], [2])
    add([], [0])
    add([], [0, 3])
    add([], [0], dtype="int64")
    add([float(i) / 7 for i in range(30)], [30])
    add([float(i) * 1.5 for i in range(24)], [2, 3, 4])
    add([float(i) for i in range(2000)], [2000])
    add([float(i) / 3 for i in range(1200)], [30, 40])
    add([float(i % 13) - 6.5 for i in range(2 * 3 * 200)], [2, 3, 200])
    add([float(i) for i in range(36)], [6, 6], requires_grad=True)
    add([1.123456789, -22.5, 333.25], [3], dtype="float64", requires_grad=True)
    return cases


def clean(s):
    return re.sub(r"0x[0-9a-f]+", "0x", s)


def record_seeds():
    """The tutorial's random steps under manual_seed(0), in the order the Swift test runs them."""
    torch.manual_seed(0)
    lines = []
    a = torch.randn(2, 2)
    a = (a * 3) / (a - 1)
    lines.append(str(a))
    x = torch.randn(3, requires_grad=True)
    lines.append(str(x))
    y = x * 2
    n = 0
    while y.data.norm() < 1000:
        y = y * 2
        n += 1
    lines.append(str(y))
    y.backward(torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float))
    lines.append(str(x.grad))
    lines.append(str(torch.rand(5)))
    lines.append(str(torch.randn(17, dtype=torch.float64)))
    return {"lines": lines, "loops": n}


def record_functional():
    """torch.autograd.functional on three closures (names match FunctionalTests)."""
    import torch.autograd.functional as AF
    d = torch.float64
    x = torch.tensor([0.3, -0.7, 1.1], dtype=d)
    y = torch.tensor([0.5, 0.2, -0.9], dtype=d)
    a = torch.tensor([[0.1, 0.4, -0.3], [0.8, -0.5, 0.2]], dtype=d)
    b = torch.tensor([[0.6, -0.1], [0.3, 0.9], [-0.7, 0.2]], dtype=d)
    vx = torch.tensor([1.0, -2.0, 0.5], dtype=d)
    vy = torch.tensor([0.25, 0.5, -1.0], dtype=d)
    scalar = lambda x, y: (x * y.sin()).sum() + (x ** 2 * y).sum()
    vector = lambda x: x.exp() * x.sum()
    matrix = lambda a, b: a.mm(b).tanh()
    out = {}
    out["scalar_jacobian"] = [flat(j) for j in AF.jacobian(scalar, (x, y))]
    out["scalar_hessian"] = [[flat(h) for h in row] for row in AF.hessian(scalar, (x, y))]
    out["scalar_hvp"] = [flat(t) for t in AF.hvp(scalar, (x, y), (vx, vy))[1]]
    out["scalar_vhp"] = [flat(t) for t in AF.vhp(scalar, (x, y), (vx, vy))[1]]
    out["scalar_vjp"] = [flat(t) for t in AF.vjp(scalar, (x, y))[1]]
    out["vector_jacobian"] = flat(AF.jacobian(vector, x))
    out["vector_vjp"] = flat(AF.vjp(vector, x, vy)[1])
    out["vector_jvp"] = flat(AF.jvp(vector, x, vx)[1])
    out["matrix_jacobian"] = [flat(j) for j in AF.jacobian(matrix, (a, b))]
    out["matrix_jvp"] = flat(AF.jvp(matrix, (a, b), (a * 0.5, b - 1))[1])
    out["matrix_vjp"] = [flat(t) for t in AF.vjp(matrix, (a, b), torch.ones(2, 2, dtype=d))[1]]
    return out


class MyExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class MulAdd(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y + x

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return (g * (y + 1) if ctx.needs_input_grad[0] else None,
                g * x if ctx.needs_input_grad[1] else None)


def record_custom_functions():
    """Custom autograd.Function results (names match CustomFunctionTests)."""
    d = torch.float64
    x = torch.tensor([0.3, -0.7, 1.1], dtype=d, requires_grad=True)
    y = torch.tensor([0.5, 0.2, -0.9], dtype=d, requires_grad=True)
    out = {}
    e = MyExp.apply(x * 2)
    (gx,) = torch.autograd.grad(e.sum(), x, create_graph=True)
    (ggx,) = torch.autograd.grad(gx.sum(), x)
    out["myexp"] = {"value": flat(e), "grad": flat(gx), "gradgrad": flat(ggx), "name": e.grad_fn.name()}
    m = MulAdd.apply(x, y)
    gx, gy = torch.autograd.grad((m * m).sum(), (x, y), create_graph=True)
    (gg,) = torch.autograd.grad((gx * gy).sum(), y)
    out["muladd"] = {"value": flat(m), "gradX": flat(gx), "gradY": flat(gy), "gradgradY": flat(gg),
                     "name": m.grad_fn.name()}
    return out


def record_hooks():
    """Hook order and replaced gradients (matches HookTests)."""
    order = []
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: order.append("tensor y") or g * 10)
    y.retain_grad()
    y.grad_fn.register_prehook(lambda go: order.append("pre MulBackward0") or None)
    y.grad_fn.register_hook(lambda gi, go: order.append("post MulBackward0") or None)
    x.register_hook(lambda g: order.append("tensor x") or g + 1)
    x.register_post_accumulate_grad_hook(lambda t: order.append("post-accumulate x"))
    (y * y).sum().backward()
    return {"order": order, "xGrad": flat(x.grad), "yGrad": flat(y.grad)}


def record_forward_mode():
    """forward_ad tangents and the anomaly-mode message (match ForwardModeTests, AnomalyTests)."""
    import torch.autograd.forward_ad as fwAD
    d = torch.float64
    x = torch.tensor([0.3, -0.7, 1.1], dtype=d)
    v = torch.tensor([1.0, 0.5, -2.0], dtype=d)
    a = torch.tensor([[0.1, 0.4, -0.3], [0.8, -0.5, 0.2]], dtype=d)
    out = {}
    with fwAD.dual_level():
        dx = fwAD.make_dual(x, v)
        out["vector"] = flat(fwAD.unpack_dual(dx.tanh() * 3 + dx ** 2).tangent)
        out["scalar"] = flat(fwAD.unpack_dual((dx.sin() * dx.exp()).sum()).tangent)
        out["matrix"] = flat(fwAD.unpack_dual(a.mm(dx.unsqueeze(1)).softmax(dim=0)).tangent)
    y = torch.tensor([0.0, 4.0], dtype=d, requires_grad=True)
    try:
        with torch.autograd.detect_anomaly():
            (y.sqrt() * 0).sum().backward()
    except RuntimeError as e:
        out["anomalyMessage"] = str(e).splitlines()[0]
    return out


def main():
    data = {"torch": torch.__version__, "ops": record_ops(), "printing": record_printing(),
            "seeds": record_seeds(), "functional": record_functional(),
            "customFunctions": record_custom_functions(), "hooks": record_hooks(),
            "forwardMode": record_forward_mode()}
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1, allow_nan=False)
    print(f"wrote {os.path.relpath(OUT)}: {len(data['ops'])} ops, {len(data['printing'])} prints")


if __name__ == "__main__":
    main()
