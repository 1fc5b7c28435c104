"""The reference solver: activations, losses and exact backpropagation in the lecture's notation."""
