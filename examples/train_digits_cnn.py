"""Train a small CNN on scikit-learn's 8x8 handwritten digits with ember, written as PyTorch code.

    python examples/train_digits_cnn.py [--epochs 15] [--device cpu] [--out runs/digits_cnn]

The data set ships with scikit-learn (no download). Batches come from a DataLoader with a seeded Generator.
After training the script saves the model's state dict, loads it into a fresh model, checks that the
reloaded model scores the same on the fixed 20% test split, and draws the loss and accuracy curves to a PNG.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # draw to a file: no screen needed
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from tqdm import tqdm  # noqa: E402

import ember as torch  # noqa: E402
from ember import nn  # noqa: E402
from ember.utils.data import DataLoader, TensorDataset  # noqa: E402

SPLIT_SEED = 4  # the same fixed split as train_digits.py


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15, help="passes over the training split")
    parser.add_argument("--device", default="cpu", help="ember device to train on, e.g. cpu or cuda")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3, help="AdamW learning rate")
    parser.add_argument("--workers", type=int, default=0, help="DataLoader worker processes")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initialisation and the shuffling")
    parser.add_argument("--out", type=Path, default=Path("runs/digits_cnn"), help="checkpoint and plot folder")
    return parser.parse_args()


def datasets() -> tuple[TensorDataset, TensorDataset]:
    """Train and test splits as 1x8x8 float32 images scaled to [0, 1] and int64 labels."""
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.images, digits.target, test_size=0.2, random_state=SPLIT_SEED, stratify=digits.target
    )

    def dataset(images, labels):
        x = torch.tensor(images / 16.0, dtype=torch.float32).unsqueeze(1)
        return TensorDataset(x, torch.tensor(labels, dtype=torch.int64))

    return dataset(x_train, y_train), dataset(x_test, y_test)


def make_model() -> nn.Module:
    """Two 3x3 convolution blocks (8x8 -> 4x4 -> 2x2) and a linear classifier."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(64 * 2 * 2, 10),
    )


def train_epoch(model, loss_fn, optimizer, loader, device: str) -> float:
    """One pass over the loader; returns the mean training loss."""
    model.train()
    total_loss, seen = 0.0, 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(labels)
        seen += len(labels)
    return total_loss / seen


@torch.no_grad()
def accuracy(model, loader, device: str) -> float:
    """The percentage of the loader's images the model classifies correctly."""
    model.eval()
    correct, seen = 0, 0
    for images, labels in loader:
        predictions = model(images.to(device)).argmax(dim=1)
        correct += int((predictions == labels.to(device)).sum().item())
        seen += len(labels)
    return 100 * correct / seen


def plot(losses: list[float], accuracies: list[float], path: Path) -> None:
    """Training loss and test accuracy per epoch, side by side."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    epochs = range(1, len(losses) + 1)
    left.plot(epochs, losses)
    left.set(xlabel="epoch", ylabel="training loss", yscale="log")
    right.plot(epochs, accuracies)
    right.set(xlabel="epoch", ylabel="test accuracy (%)")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def main() -> None:
    args = parse_args()
    torch.manual_seed(args.seed)
    train_set, test_set = datasets()
    shuffle = torch.Generator().manual_seed(args.seed)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, generator=shuffle,
                              num_workers=args.workers)
    test_loader = DataLoader(test_set, batch_size=256)

    model = make_model().to(args.device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)

    losses, accuracies = [], []
    progress = tqdm(range(args.epochs), desc="training", unit="epoch")
    for _ in progress:
        losses.append(train_epoch(model, loss_fn, optimizer, train_loader, args.device))
        accuracies.append(accuracy(model, test_loader, args.device))
        scheduler.step()
        progress.set_postfix(loss=f"{losses[-1]:.4f}", accuracy=f"{accuracies[-1]:.2f}%")
    print(f"test accuracy: {accuracies[-1]:.2f}% ({len(test_set)} digits)")

    args.out.mkdir(parents=True, exist_ok=True)
    checkpoint = args.out / "model.safetensors"
    torch.save(model.state_dict(), checkpoint)
    reloaded = make_model().to(args.device)
    reloaded.load_state_dict(torch.load(checkpoint, map_location=args.device))
    print(f"reloaded from {checkpoint}: test accuracy {accuracy(reloaded, test_loader, args.device):.2f}%")

    plot(losses, accuracies, args.out / "curves.png")
    print(f"curves written to {args.out / 'curves.png'}")


if __name__ == "__main__":
    main()
