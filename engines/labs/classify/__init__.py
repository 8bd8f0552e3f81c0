"""Image classification: MobileNet V1/V2, ResNet/SENet on digits and CIFAR-10."""
from engines.labs.classify import cifar10, digits, task  # noqa: F401  (registers the task and datasets)
