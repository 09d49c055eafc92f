"""Synthetic sample data: a national picture 2018 K1 - 2025 K3 in the layouts real sources use."""
