"""`make bench`: a generated regional network, each measure beside its reference in the same run."""
