"""The offline structural diff: two offline plans compared resource by resource."""
