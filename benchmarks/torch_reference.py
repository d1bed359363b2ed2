"""PyTorch versions of the benchmark's models, the reference `make bench` times our engine against (eager mode).

The same architectures as :mod:`replication.models` (appendix A): the FC network, the CNN (3×3 convolutions, 6×6
stride-1 max-pools), and the pre-activation Wide ResNet with batch norm on the batch's statistics; one step is the
same SGD update of the same loss (softmax cross-entropy + ½λ‖θ‖² through ``weight_decay``). Only the benchmark
imports this module; PyTorch is an optional extra (``pip install -e ".[bench]"``). Run as a script by another
interpreter that has PyTorch (e.g. Debian's ``python3-torch`` under ``/usr/bin/python3``, where the registry's
PyTorch wheel would pull CUDA packages), it times one row given as JSON and prints the times as JSON:
``python3 torch_reference.py '{"kind": "fc", "input_shape": [784], "batch": 512, "repeats": 3, "layouts":
["eager"], "model": {"width": 2048, "depth": 3}}'``.
"""

from __future__ import annotations

import json
import os
import sys
import time

import torch
from torch import nn


class CNN(nn.Module):
    def __init__(self, channels, hidden, image_size, in_channels):
        super().__init__()
        c = channels
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, c, 3, padding=1), nn.ReLU(),
            nn.Conv2d(c, c, 3), nn.ReLU(), nn.MaxPool2d(6, stride=1),
            nn.Conv2d(c, c, 3, padding=1), nn.ReLU(),
            nn.Conv2d(c, c, 3), nn.MaxPool2d(6, stride=1),
        )  # fmt: skip
        side = image_size - 14
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(side * side * c, hidden), nn.Linear(hidden, 10))

    def forward(self, x):
        return self.head(self.features(x))


class Block(nn.Module):
    def __init__(self, n_in, n_out, stride):
        super().__init__()
        self.bn1, self.bn2 = nn.BatchNorm2d(n_in), nn.BatchNorm2d(n_out)
        self.conv1 = nn.Conv2d(n_in, n_out, 3, stride=stride, padding=1, bias=False)
        self.conv2 = nn.Conv2d(n_out, n_out, 3, padding=1, bias=False)
        self.shortcut = nn.Conv2d(n_in, n_out, 1, stride=stride, bias=False) if n_in != n_out or stride != 1 else None

    def forward(self, x):
        h = torch.relu(self.bn1(x))
        skip = x if self.shortcut is None else self.shortcut(h)
        h = self.conv2(torch.relu(self.bn2(self.conv1(h))))
        return h + skip


class WideResNet(nn.Module):
    def __init__(self, depth, widen, in_channels):
        super().__init__()
        n = (depth - 4) // 6
        widths = [16, 16 * widen, 32 * widen, 64 * widen]
        layers = [nn.Conv2d(in_channels, widths[0], 3, padding=1, bias=False)]
        for g, stride in zip(range(3), (1, 2, 2)):
            for b in range(n):
                layers.append(Block(widths[g] if b == 0 else widths[g + 1], widths[g + 1], stride if b == 0 else 1))
        self.body = nn.Sequential(*layers)
        self.bn = nn.BatchNorm2d(widths[3])
        self.head = nn.Linear(widths[3], 10)

    def forward(self, x):
        h = torch.relu(self.bn(self.body(x)))
        return self.head(h.mean(dim=(2, 3)))


def make_model(kind: str, **kw):
    if kind == "fc":
        width, depth = kw["width"], kw["depth"]
        sizes = [784] + [width] * depth
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        return nn.Sequential(*layers, nn.Linear(sizes[-1], 10))
    if kind == "cnn":
        return CNN(kw["channels"], kw["hidden"], kw["image_size"], kw["in_channels"])
    return WideResNet(kw["depth"], kw["widen"], kw["in_channels"])


def step_seconds(kind: str, input_shape: tuple[int, ...], batch: int, *, channels_last: bool, repeats: int, **kw):
    """Best time of one eager SGD + L2 step (forward, backward, update) over ``repeats`` timed steps, on the GPU
    when PyTorch sees one (as our step then runs on it), else on the CPU."""
    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    model = make_model(kind, **kw).to(device)
    x = torch.randn((batch,) + input_shape)
    if len(input_shape) == 3:
        x = x.permute(0, 3, 1, 2).contiguous()  # NHWC → NCHW
        if channels_last:
            model = model.to(memory_format=torch.channels_last)
            x = x.contiguous(memory_format=torch.channels_last)
    x = x.to(device)
    y = (torch.arange(batch) % 10).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, weight_decay=1e-4)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()

    step()  # warm-up (allocations, oneDNN/cuDNN primitive creation)
    sync()
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        step()
        sync()
        best = min(best, time.perf_counter() - t)
    return best


def time_row(kind: str, input_shape, batch: int, repeats: int, layouts, model: dict) -> dict[str, float]:
    """Seconds of one step per layout ("eager" for FC, "NCHW" and "channels_last" for the convnets), on every core."""
    torch.set_num_threads(os.cpu_count() or 1)
    return {layout: step_seconds(kind, tuple(input_shape), batch, channels_last=layout == "channels_last",
                                 repeats=repeats, **model) for layout in layouts}  # fmt: skip


if __name__ == "__main__":
    row = json.loads(sys.argv[1])
    print(json.dumps(dict(version=torch.__version__, seconds=time_row(**row))))
