"""The data chapter's claim (appendix A: MNIST as the paper uses it); the chapter computes its number with
:mod:`replication.data`. Declared here, as every chapter's claims are beside its experiments
(:mod:`replication.experiments.claims`)."""

from replication.experiments.claims import Claim

__all__ = ["CLAIMS"]

# The paper's claims this chapter judges (replication.experiments.claims): the chapter records ours under each key.
CLAIMS = (
    Claim(
        "Data (App. A)",
        "MNIST as the paper uses it: 512 samples for FC, 200 with even/odd labels for the NTK",
        "train label counts 5923 … 5949 (60000 images)",
        "data.mnist_train_images",
        "MNIST: the full set (the first 1000 images at smoke)",
    ),
)
