"""Packages are discovered; pyproject.toml holds everything else.

``assets/`` sits at the top of the repository (data, not code) and installs as the package
``workbench.assets`` (pyproject's package-dir), which discovery under ``workbench/`` cannot see,
so it is added here by name: the one reason this file exists.
"""
from setuptools import find_packages, setup

setup(packages=find_packages(include=["engines", "engines.*", "workbench", "workbench.*"]) + ["workbench.assets"])
