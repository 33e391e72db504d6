"""Arrays and networks (numpy lives here): array gates with caches, dimension analysis,
neurons, layers, MLPs and the toy data set."""
