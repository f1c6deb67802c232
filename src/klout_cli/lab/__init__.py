"""The lab: synthetic populations with a known truth, to measure how gameable a model is."""
