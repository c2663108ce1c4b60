#!/usr/bin/env python3
"""Loads a checkpoint written by `flint train` into the same network in PyTorch and
scores it on all 1,797 UCI digits: the check that Flint's safetensors files load in
Python (`pip install torch==2.13.0+cpu safetensors scikit-learn`).

usage: python3 Scripts/check_flint_checkpoint.py [flint-train-output/model.safetensors]
"""
import sys

import torch
import torch.nn as nn
from safetensors import safe_open
from safetensors.torch import load_file
from sklearn.datasets import load_digits


def model(kind):
    if kind == "cnn":
        return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "flint-train-output/model.safetensors"
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata()
    net = model(metadata["model"])
    net.load_state_dict(load_file(path), strict=True)
    net.eval()
    digits = load_digits()
    x = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16
    y = torch.tensor(digits.target)
    with torch.no_grad():
        accuracy = (net(x).argmax(1) == y).float().mean().item()
    print(f"{path}: {metadata}; PyTorch accuracy on all {len(y)} digits: {accuracy * 100:.2f}%")


if __name__ == "__main__":
    main()
