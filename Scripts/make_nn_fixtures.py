#!/usr/bin/env python3
"""Records PyTorch 2.13 reference values for FlintNN's tests.

usage: python3 -m pip install torch==2.13.0+cpu safetensors && python3 Scripts/make_nn_fixtures.py

Writes into Tests/FlintNNTests/Fixtures (committed; tests never need PyTorch):
  nn_fixtures.json          layers, losses, optimizers, schedulers, clipping, training runs
  python_written.safetensors  a file written by the safetensors package (read by Flint)
  mlp_init.safetensors, cnn_init.safetensors, train_data.safetensors
                            initial weights and data of the end-to-end training runs
Every case name matches a case in Tests/FlintNNTests.
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "FlintNNTests", "Fixtures")
gen = torch.Generator().manual_seed(2024)


def rand(*shape, lo=-1.0, hi=1.0):
    return torch.rand(shape, generator=gen) * (hi - lo) + lo


def flat(t):
    return [float(v) for v in t.detach().double().reshape(-1).tolist()]


def values(t):
    return {"shape": list(t.shape), "values": flat(t)}


def layer_case(module, x, train=True):
    module.train(train)
    x = x.clone().requires_grad_(x.dtype.is_floating_point)
    params = {k: values(v) for k, v in module.state_dict().items()}
    y = module(x)
    g = rand(*y.shape)
    y.backward(g)
    return {
        "state": params,
        "input": values(x),
        "output": values(y),
        "gradOutput": flat(g),
        "inputGrad": flat(x.grad) if x.grad is not None else None,
        "paramGrads": {k: flat(p.grad) for k, p in module.named_parameters() if p.grad is not None},
        "stateAfter": {k: values(v) for k, v in module.state_dict().items()},
    }


def layers():
    torch.manual_seed(0)
    cases = {
        "linear": layer_case(nn.Linear(5, 3), rand(4, 5)),
        "linear_3d_nobias": layer_case(nn.Linear(4, 2, bias=False), rand(2, 3, 4)),
        "conv2d": layer_case(nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2), rand(2, 4, 6, 7)),
        "conv2d_plain": layer_case(nn.Conv2d(1, 3, 3), rand(2, 1, 5, 5)),
        "max_pool2d": layer_case(nn.MaxPool2d(2), rand(2, 3, 6, 6)),
        "max_pool2d_padded": layer_case(nn.MaxPool2d(3, stride=2, padding=1), rand(1, 2, 7, 5)),
        "avg_pool2d": layer_case(nn.AvgPool2d(2, stride=1, padding=1), rand(1, 2, 4, 5)),
        "adaptive_avg_pool2d": layer_case(nn.AdaptiveAvgPool2d((2, 3)), rand(2, 2, 5, 7)),
        "batch_norm1d": layer_case(nn.BatchNorm1d(3), rand(5, 3)),
        "batch_norm1d_eval": layer_case(_stats(nn.BatchNorm1d(3)), rand(4, 3, 2), train=False),
        "batch_norm2d": layer_case(nn.BatchNorm2d(2), rand(3, 2, 3, 4)),
        "layer_norm": layer_case(nn.LayerNorm([3, 4]), rand(2, 3, 4)),
        "embedding": layer_case(nn.Embedding(6, 3), torch.tensor([[1, 5, 1], [0, 2, 4]])),
        "flatten": layer_case(nn.Flatten(), rand(2, 3, 2, 2)),
        "relu": layer_case(nn.ReLU(), rand(3, 4)),
        "gelu": layer_case(nn.GELU(), rand(3, 4, lo=-3, hi=3)),
        "gelu_tanh": layer_case(nn.GELU(approximate="tanh"), rand(3, 4, lo=-3, hi=3)),
        "tanh": layer_case(nn.Tanh(), rand(3, 4)),
        "sigmoid": layer_case(nn.Sigmoid(), rand(3, 4)),
        "softmax": layer_case(nn.Softmax(dim=1), rand(3, 4)),
        "log_softmax": layer_case(nn.LogSoftmax(dim=-1), rand(3, 4)),
        "dropout_eval": layer_case(nn.Dropout(0.5), rand(3, 4), train=False),
        "sequential": layer_case(nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2)), rand(3, 4)),
    }
    return cases


def _stats(bn):
    with torch.no_grad():
        bn.running_mean.copy_(rand(bn.num_features))
        bn.running_var.copy_(rand(bn.num_features, lo=0.5, hi=2.0))
        bn.weight.copy_(rand(bn.num_features))
        bn.bias.copy_(rand(bn.num_features))
    return bn


def losses():
    out = {}
    logits = rand(5, 4)
    labels = torch.tensor([0, 3, 1, 3, 2])
    ignored = torch.tensor([0, -100, 1, 3, -100])
    probs = torch.rand(5, 4, generator=gen) * 0.9 + 0.05
    binary = (torch.rand(5, 4, generator=gen) > 0.5).float()
    regression = rand(5, 4)
    specs = {
        "mse": (lambda r: nn.MSELoss(reduction=r), regression, rand(5, 4)),
        "l1": (lambda r: nn.L1Loss(reduction=r), regression, rand(5, 4)),
        "cross_entropy": (lambda r: nn.CrossEntropyLoss(reduction=r), logits, labels),
        "cross_entropy_smoothing": (lambda r: nn.CrossEntropyLoss(reduction=r, label_smoothing=0.1), logits, labels),
        "cross_entropy_ignore": (lambda r: nn.CrossEntropyLoss(reduction=r, ignore_index=-100, label_smoothing=0.2), logits, ignored),
        "nll": (lambda r: nn.NLLLoss(reduction=r), F.log_softmax(logits, 1), labels),
        "bce": (lambda r: nn.BCELoss(reduction=r), probs, binary),
        "bce_with_logits": (lambda r: nn.BCEWithLogitsLoss(reduction=r), logits * 3, binary),
    }
    # Cases added later draw their output gradients from a generator of their own, so the
    # values above and every fixture written after them stay as they were.
    later = {
        "nll_ignore": (lambda r: nn.NLLLoss(reduction=r, ignore_index=-100), F.log_softmax(logits, 1), ignored),
    }
    later_gen = torch.Generator().manual_seed(2026)
    for group, draw in [(specs, rand), (later, lambda *shape: torch.rand(shape, generator=later_gen) * 2 - 1)]:
        for name, (make, x, target) in group.items():
            for reduction in ["mean", "sum", "none"]:
                xi = x.clone().requires_grad_(True)
                loss = make(reduction)(xi, target)
                g = draw(*loss.shape)
                loss.backward(g)
                out[f"{name}_{reduction}"] = {
                    "input": values(x), "target": values(target), "targetIsIndex": target.dtype == torch.int64,
                    "output": values(loss), "gradOutput": flat(g), "inputGrad": flat(xi.grad),
                }
    return out


OPTIMIZERS = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.1),
    "sgd_momentum": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "sgd_nesterov": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True),
    "adam": lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1),
    "adamw": lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0.8, 0.99)),
    "rmsprop": lambda p: torch.optim.RMSprop(p, lr=0.01),
    "rmsprop_centered": lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.05),
    "adagrad": lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.02, initial_accumulator_value=0.1),
    "sgd_groups": lambda p: torch.optim.SGD([{"params": [p[0]]}, {"params": [p[1]], "lr": 0.01}], lr=0.1, momentum=0.5),
}


def optimizers():
    out = {}
    for name, make in OPTIMIZERS.items():
        p = [rand(3, 4).requires_grad_(True), rand(4).requires_grad_(True)]
        initial = [values(t) for t in p]
        opt = make(p)
        grads, after = [], []
        for _ in range(20):
            gs = [rand(*t.shape) for t in p]
            for t, g in zip(p, gs):
                t.grad = g.clone()
            opt.step()
            grads.append([flat(g) for g in gs])
            after.append([flat(t) for t in p])
        out[name] = {"initial": initial, "grads": grads, "after": after}
    return out


def schedulers():
    def run(make):
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.5)
        sched = make(opt)
        lrs = [opt.param_groups[0]["lr"]]
        for _ in range(20):
            opt.step()
            sched.step()
            lrs.append(opt.param_groups[0]["lr"])
        return lrs
    return {
        "step_lr": run(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5)),
        "cosine": run(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=7, eta_min=0.01)),
        "linear": run(lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=6)),
    }


def clipping():
    grads = [rand(3, 4) * 3, rand(5) * 3]
    out = {"grads": [values(g) for g in grads]}
    for name, fn in {"norm": lambda ps: nn.utils.clip_grad_norm_(ps, 1.5),
                     "norm_inf": lambda ps: nn.utils.clip_grad_norm_(ps, 0.5, norm_type=math.inf),
                     "value": lambda ps: nn.utils.clip_grad_value_(ps, 0.4)}.items():
        ps = [torch.zeros_like(g, requires_grad=True) for g in grads]
        for p, g in zip(ps, grads):
            p.grad = g.clone()
        total = fn(ps)
        out[name] = {"total": float(total) if total is not None else None, "clipped": [flat(p.grad) for p in ps]}
    return out


def mlp():
    return nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 8, 3), nn.ReLU(),
                         nn.Flatten(), nn.Linear(32, 10))


def training():
    torch.manual_seed(7)
    x = torch.rand(256, 1, 8, 8, generator=gen)
    y = torch.randint(0, 10, (256,), generator=gen)
    save_file({"x": x, "y": y}, os.path.join(OUT, "train_data.safetensors"))
    runs = {}
    for name, make, opt_make, flatten in [
        ("mlp", mlp, lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9), True),
        ("cnn", cnn, lambda p: torch.optim.Adam(p, lr=0.005), False),
    ]:
        model = make()
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, os.path.join(OUT, f"{name}_init.safetensors"))
        opt = opt_make(model.parameters())
        loss_fn = nn.CrossEntropyLoss()
        losses = []
        for step in range(100):
            start = (step * 16) % 256
            xb, yb = x[start:start + 16], y[start:start + 16]
            if flatten:
                xb = xb.reshape(16, 64)
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(float(loss))
        runs[name] = losses
    return runs


def safetensors_file():
    tensors = {
        "weight": torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4,
        "bias": torch.tensor([-1.5, 2.25], dtype=torch.float32),
        "steps": torch.tensor([3, -7, 1 << 40], dtype=torch.int64),
        "mask": torch.tensor([True, False, True]),
        "precise": torch.tensor([[1.0 / 3]], dtype=torch.float64),
        "empty": torch.zeros(0, 2),
    }
    save_file(tensors, os.path.join(OUT, "python_written.safetensors"), metadata={"format": "pt", "note": "fixture"})
    return {k: values(v) | {"dtype": str(v.dtype).replace("torch.", "")} for k, v in tensors.items()}


def main():
    os.makedirs(OUT, exist_ok=True)
    data = {"torch": torch.__version__, "layers": layers(), "losses": losses(), "optimizers": optimizers(),
            "schedulers": schedulers(), "clipping": clipping(), "training": training(),
            "safetensors": safetensors_file()}
    with open(os.path.join(OUT, "nn_fixtures.json"), "w") as f:
        json.dump(data, f, indent=1, allow_nan=False)
    print("wrote", os.path.relpath(OUT))


if __name__ == "__main__":
    main()
