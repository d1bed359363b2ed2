"""Write src/replication/_embedded/mnist_first1000.npz: the first 1000 train and 1000 test MNIST images.

Run once after `make data`; the result is committed so that tests and the smoke book need no download.
tests/test_data.py checks that it equals the first rows of the full set.
"""

import hashlib
import io
import json
from pathlib import Path

import numpy as np

from replication import data
from replication.data import mnist

N = 1000
out = Path(__file__).resolve().parents[1] / "src" / "replication" / "_embedded" / mnist.EMBEDDED_MNIST
arrays = {}
for split in data.SPLITS:
    ds = data.load_mnist(split, "full")
    arrays[f"x_{split}"] = ds.images[:N, ..., 0]
    arrays[f"y_{split}"] = ds.labels[:N].astype(np.uint8)
buf = io.BytesIO()
np.savez_compressed(buf, **arrays)
out.write_bytes(buf.getvalue())
out.with_suffix(".json").write_text(
    json.dumps(
        {
            "what": f"first {N} train and first {N} test images of MNIST",
            "from": mnist.MNIST_WHEEL.requirement,
            "sha256": hashlib.sha256(buf.getvalue()).hexdigest(),
        },
        indent=2,
    )
    + "\n"
)
print(out, out.stat().st_size, "bytes")
