"""Collective training days: venues, trainers, sessions and attendance."""
