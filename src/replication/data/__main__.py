"""`python -m replication.data`: build the full MNIST cache (``make data``)."""

from replication.data.mnist import load_mnist, prepare_mnist

cache = prepare_mnist()
train = load_mnist("train")
print(f"MNIST ready: {cache} (train label counts {train.label_counts().tolist()})")
