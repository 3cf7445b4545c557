"""The model-upload form: the options of `CheckpointCreate`, as the page asks for them.

Every control's name is a field of `CheckpointCreate`, which refuses any other; the empty
choice sends nothing, so the service infers the option from the weights or assumes its default
(and says so in the result).
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Select:
    """A drop-down of one architecture option."""

    name: str
    label: str
    options: tuple[tuple[str, str], ...]
    """(value, text); the first, valued "", is what not choosing means."""


@dataclass(frozen=True, slots=True)
class TextInput:
    """A typed option: a number or a short list."""

    name: str
    label: str
    hint: str


ARCHITECTURE = (
    Select(
        "padding",
        "Padding of conv1",
        (("", "Read it from the weights"), ("2", "2 (same size)"), ("0", "0 (none)")),
    ),
    Select("pool", "Pooling", (("", "Not given: max assumed"), ("max", "Max"), ("avg", "Average"))),
    Select(
        "activation",
        "Activation",
        (("", "Not given: ReLU assumed"), ("relu", "ReLU"), ("tanh", "tanh")),
    ),
    Select(
        "batchnorm",
        "Batch normalization",
        (
            ("", "Read it from the weights"),
            ("none", "None"),
            ("before", "Before the activation"),
            ("after", "After the activation"),
        ),
    ),
)
OPTIONS = (
    TextInput("dropout", "Dropout rates", "After fc1 and fc2, e.g. 0.3 or 0,0.3; empty: none."),
    TextInput(
        "mean",
        "Input mean",
        "Subtracted after scaling pixels to [0, 1]; empty: 0. The usual value is 0.2860.",
    ),
    TextInput("std", "Input standard deviation", "Divides after that; empty: 1. Usual: 0.3530."),
)
CLAIMS = (
    TextInput("claimed_test_accuracy", "Your test accuracy", "e.g. 89.1% or 0.891"),
    TextInput("claimed_train_accuracy", "Your training accuracy", "e.g. 92.5% or 0.925"),
)
