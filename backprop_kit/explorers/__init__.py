"""Explorers: the shared base, the circuit explorer and its accessibility helpers."""
