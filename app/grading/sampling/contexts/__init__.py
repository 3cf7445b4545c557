"""Sampling contexts by the name a problem file uses for them."""

from collections.abc import Mapping
from types import MappingProxyType

from app.grading.sampling.context import SamplingContext
from app.grading.sampling.contexts.batchnorm import BatchNormContext
from app.grading.sampling.contexts.dense import DenseNetworkContext
from app.grading.sampling.contexts.dropout import DropoutTikhonovContext
from app.grading.sampling.contexts.mean_only import MeanOnlyBatchNormContext
from app.grading.sampling.contexts.noise import MultiplicativeNoiseContext

CONTEXTS: Mapping[str, type[SamplingContext]] = MappingProxyType(
    {
        "batchnorm": BatchNormContext,
        "mean_only_batchnorm": MeanOnlyBatchNormContext,
        "dense_network": DenseNetworkContext,
        "dropout_tikhonov": DropoutTikhonovContext,
        "multiplicative_noise": MultiplicativeNoiseContext,
    }
)

__all__ = ["CONTEXTS", "SamplingContext"]
