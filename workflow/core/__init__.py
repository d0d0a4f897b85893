"""The pure core: models, rules and the state machine (no I/O)."""

CONFIG_NAME = "pubflow.yaml"  # a newsroom is a folder holding it; here so that finding one imports no model
