"""Candidacies, projects and their coaching."""
