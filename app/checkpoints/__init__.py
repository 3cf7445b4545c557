"""Grading uploaded LeNet-5 checkpoints by re-evaluating them on Fashion-MNIST."""
