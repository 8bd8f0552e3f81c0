"""The denoising lab (DnCNN): weights import, the batch denoising pipeline, CLI verbs and benchmark."""
