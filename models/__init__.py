"""The shipped default model: weights as data (``default.npz``) and its card (``default.card.json``)."""
