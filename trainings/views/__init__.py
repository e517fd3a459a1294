"""Pages of the trainings app, one module per audience."""
