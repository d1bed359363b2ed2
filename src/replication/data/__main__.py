"""`python -m replication.data`: build the full MNIST cache, then try to fetch CIFAR-10 (``make data``).

The CIFAR-10 attempt never fails the command: without a network (or with ``$CI`` set, as our CI runs offline) it
says in one line that the CIFAR chapters will use their stand-in."""

import os

from replication.data.cifar10 import CIFAR10_ARCHIVE_MD5, cifar10_location
from replication.data.download import download_cifar10
from replication.data.integrity import DataError, data_dir, file_digest
from replication.data.mnist import load_mnist, prepare_mnist

cache = prepare_mnist()
train = load_mnist("train")
print(f"MNIST ready: {cache} (train label counts {train.label_counts().tolist()})")

where = cifar10_location()
downloaded = data_dir() / "cifar-10-python.tar.gz"
if where is not None and (where != downloaded or file_digest(where, "md5") == CIFAR10_ARCHIVE_MD5):
    print(f"CIFAR-10 present: {where}")
elif os.environ.get("CI"):
    print("CIFAR-10: not fetched ($CI is set: CI runs offline); the CIFAR chapters will use the stand-in.")
else:
    try:
        print(f"CIFAR-10 ready: {download_cifar10(timeout=10.0)}")
    except (DataError, ValueError) as err:
        reason = str(err).split(". Fix:")[0].removeprefix("could not download CIFAR-10 from ").rstrip(".")
        print(f"CIFAR-10 could not be fetched ({reason}); the CIFAR chapters will use the stand-in.")
