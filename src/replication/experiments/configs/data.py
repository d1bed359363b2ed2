"""Presets of the data chapter. Base = appendix A: 512 MNIST samples for the FC network, 200 for the NTK
experiment of Fig. 5c."""

from . import Fields


def base() -> Fields:
    return Fields(mnist_source="full", fc_subset=512, ntk_subset=200)


def smoke() -> Fields:
    c = base()
    c.mnist_source = "embedded"
    return c


def cpu() -> Fields:
    return base()


def paper() -> Fields:
    return base()
