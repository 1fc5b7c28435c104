"""The diagnoses' sentences, written in the exercise's own loss and activations.

Each text comes from the plugin itself (grader/protocols.py): a loss's `formula`,
`derivative_formula` and `link_formula`, an activation's `derivative_formula`. A plugin without
them is still named, by its registered name, so that every network gets a sentence.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.reference.network import Network


def loss_formula(net: Network) -> str:
    return getattr(net.loss, "formula", "") or net.loss_name


def derivative_text(net: Network, i: int) -> str:
    """Layer i's dh/dz as its activation writes it, e.g. h(1 - h)."""
    layer = net.layers[i - 1]
    return getattr(layer.activation, "derivative_formula", "") or f"{layer.activation_name}'(z)"


def named_layers(net: Network, layers: list[int]) -> str:
    """'layer 1 (sigmoid)', or 'layers 1 (sigmoid) and 2 (tanh)'."""
    parts = [f"{i} ({net.layers[i - 1].activation_name})" for i in layers]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return ("layer " if len(parts) == 1 else "layers ") + joined


def _closes_at_end(text: str, opening: int) -> bool:
    """Whether the bracket opened at `opening` closes at the very end of text."""
    depth = 0
    for i, char in enumerate(text[opening:], start=opening):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return i == len(text) - 1
    return False


def negated(text: str) -> str:
    """-(y - h) -> y - h; -y / h -> y / h; h - y -> y - h; 2 (h - y) / n -> -(2 (h - y) / n)."""
    if (swap := re.fullmatch(r"(\w+) - (\w+)", text)) is not None:
        return f"{swap.group(2)} - {swap.group(1)}"
    if text.startswith("-(") and _closes_at_end(text, 1):
        return text[2:-1]
    if text.startswith("-") and not any(op in text[1:] for op in ("+", " - ")):  # one term
        return text[1:]
    return f"-({text})"


def at_the_link(net: Network) -> bool:
    """The output activation is the loss's canonical partner: dL/dz^L is written directly."""
    return net.layers[-1].activation_name == getattr(net.loss, "canonical_link", None)


def sign_flip(net: Network) -> str:
    formula = loss_formula(net)
    if at_the_link(net):
        link = getattr(net.loss, "link_formula", "") or "h - y"
        act = net.layers[-1].activation_name
        return (
            f"The sign at the output is flipped: for L = {formula} with a {act} output, "
            f"dL/dz^{len(net.layers)} = {link}, not {negated(link)}."
        )
    derivative = getattr(net.loss, "derivative_formula", "")
    if not derivative:
        return f"The sign of dL/dh at the output is flipped: L = {formula} gives its negative."
    return (
        f"The sign of dL/dh at the output is flipped: for L = {formula}, dL/dh = {derivative}, "
        f"not {negated(derivative)}."
    )


def _formulas(net: Network, layers: list[int]) -> str:
    texts = [derivative_text(net, i) for i in layers]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]


def missing_derivative(net: Network, layers: list[int]) -> str:
    return (
        "The activation's derivative dh/dz is missing from the chain rule in "
        f"{named_layers(net, layers)}: dh/dz = {_formulas(net, layers)}."
    )


def wrong_derivative(net: Network, layers: list[int], used: str) -> str:
    return (
        f"dh/dz in {named_layers(net, layers)} is another activation's derivative ({used}), "
        f"where the layer's own is {_formulas(net, layers)}."
    )


def derivative_at_z(net: Network, layers: list[int]) -> str:
    return (
        f"z is used where h belongs: dh/dz of {named_layers(net, layers)} is "
        f"{_formulas(net, layers)}, written in "
        "terms of the layer's output h = act(z), and is read at h, not at z."
    )


PRE_ACTIVATION_INPUT = (
    "z is used where h belongs: dz^l/dw_kj^l is h_j^(l-1), the previous layer's output after "
    "its activation, not its pre-activation z_j^(l-1)."
)
