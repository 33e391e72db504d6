"""Pictures of a circuit: view -> layout -> scene, painted as SVG (live) or by matplotlib."""
