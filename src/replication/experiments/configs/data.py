"""Presets of the data chapter. Base = appendix A: 512 MNIST samples for the FC network, 200 for the NTK
experiment of Fig. 5c."""


def base():
    return dict(mnist_source="full", fc_subset=512, ntk_subset=200)


def smoke():
    return dict(mnist_source="embedded")


def cpu():
    return {}


def paper():
    return {}
