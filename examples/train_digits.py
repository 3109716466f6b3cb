"""Train a small MLP on scikit-learn's 8x8 handwritten digits with ember, written as PyTorch code.

    python examples/train_digits.py [--epochs 20] [--device cpu]

The data set ships with scikit-learn (no download). The script prints the accuracy on a fixed 20% test
split; the default hyper-parameters reach about 98% in a few seconds.
"""

from __future__ import annotations

import argparse

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from tqdm import tqdm

import ember as torch
from ember import nn

SPLIT_SEED = 4  # the train/test split is fixed, so every run is scored on the same 360 digits


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20, help="passes over the training split")
    parser.add_argument("--device", default="cpu", help="ember device to train on, e.g. cpu or cuda")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.05, help="SGD learning rate (momentum 0.9)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initialisation and the shuffling")
    return parser.parse_args()


def load_data(device: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The digits as float32 features standardised with the training split's statistics, 80/20 split."""
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.data, digits.target, test_size=0.2, random_state=SPLIT_SEED, stratify=digits.target
    )
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0] = 1.0  # some corner pixels are blank in every training image

    def features(x):
        return torch.tensor((x - mean) / std, dtype=torch.float32, device=device)

    def labels(y):
        return torch.tensor(y, dtype=torch.int64, device=device)

    return features(x_train), labels(y_train), features(x_test), labels(y_test)


def train_epoch(model, loss_fn, optimizer, x, y, batch_size: int) -> float:
    """One pass over (x, y) in shuffled mini-batches; returns the mean training loss."""
    model.train()
    order = torch.randperm(len(x), device=x.device)
    total_loss = 0.0
    for start in range(0, len(x), batch_size):
        batch = order[start : start + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(x[batch]), y[batch])
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(batch)
    return total_loss / len(x)


@torch.no_grad()
def count_correct(model, x, y) -> int:
    """How many rows of x the model classifies as y."""
    model.eval()
    predictions = model(x).argmax(dim=1)
    return int((predictions == y).sum().item())


def main() -> None:
    args = parse_args()
    torch.manual_seed(args.seed)
    x_train, y_train, x_test, y_test = load_data(args.device)

    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10)).to(args.device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)

    progress = tqdm(range(args.epochs), desc="training", unit="epoch")
    for _ in progress:
        loss = train_epoch(model, loss_fn, optimizer, x_train, y_train, args.batch_size)
        progress.set_postfix(loss=f"{loss:.4f}")

    correct = count_correct(model, x_test, y_test)
    print(f"test accuracy: {100 * correct / len(y_test):.2f}% ({correct}/{len(y_test)} digits)")


if __name__ == "__main__":
    main()
