"""`python -m replication.data` (``make data``): build the full MNIST cache and say whether CIFAR-10 and
Fashion-MNIST (the stand-in) are here.
`python -m replication.data --cifar10` (``make cifar10``) also fetches CIFAR-10 when it is not.

Fetching CIFAR-10 is a separate, explicit step (163 MB from the University of Toronto, or the mirror named by
``$REPLICATION_CIFAR10_URL``) so that ``make test`` and ``make book`` never reach beyond the package registries; a
failed fetch never fails the command: it says in one line that the CIFAR chapters will use their stand-in."""

import sys

from replication.data.cifar10 import CIFAR10_ARCHIVE_MD5, cifar10_location
from replication.data.download import download_cifar10
from replication.data.fashion_mnist import FASHION_MNIST_DEBIAN_DIR, fashion_mnist_location, load_fashion_mnist
from replication.data.integrity import DataError, data_dir, file_digest
from replication.data.mnist import load_mnist, prepare_mnist

cache = prepare_mnist()
train = load_mnist("train")
print(f"MNIST ready: {cache} (train label counts {train.label_counts().tolist()})")
fashion = fashion_mnist_location()
if fashion is None:
    print(f"Fashion-MNIST is not here ({FASHION_MNIST_DEBIAN_DIR}): apt-get install dataset-fashion-mnist; until then "
          "the CIFAR chapters' stand-in is MNIST.")  # fmt: skip
else:
    print(f"Fashion-MNIST ready: {fashion} ({len(load_fashion_mnist('test', fashion))} test images, sha256-checked)")

where = cifar10_location()
downloaded = data_dir() / "cifar-10-python.tar.gz"
if where is not None and (where != downloaded or file_digest(where, "md5") == CIFAR10_ARCHIVE_MD5):
    print(f"CIFAR-10 present: {where.name}")
elif "--cifar10" not in sys.argv[1:]:
    print("CIFAR-10 is not here: `make cifar10` fetches it (163 MB); until then the CIFAR chapters use the stand-in.")
else:
    try:
        print(f"CIFAR-10 ready: {download_cifar10(timeout=10.0)}")
    except (DataError, ValueError) as err:
        reason = str(err).split(". Fix:")[0].removeprefix("could not download CIFAR-10 from ").rstrip(".")
        print(f"CIFAR-10 could not be fetched ({reason}); the CIFAR chapters will use the stand-in.")
