"""Shims for RL frameworks: ``verl`` (compute_score, FinePO advantages), ``trl`` (GRPOTrainer
reward functions), ``openrlhf`` (labels and the remote reward URL). Each module imports only
this package, never the framework itself."""
