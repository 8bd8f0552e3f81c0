"""The hyperspectral lab (HybridSN): classification maps, the SVM baseline, CLI verbs and benchmark."""
