"""Presets of the data chapter."""


def smoke():
    return dict(mnist_source="embedded", fc_subset=512, ntk_subset=200)


def cpu():
    return dict(mnist_source="full", fc_subset=512, ntk_subset=200)


def paper():
    # Appendix A: 512 MNIST samples for the FC network, 200 for the NTK experiment of Fig. 5c.
    return dict(mnist_source="full", fc_subset=512, ntk_subset=200)
