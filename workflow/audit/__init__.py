"""The newsroom's own CI check (`pubflow verify`): every section of pubflow.yaml, every file,
history and snapshot, compared with git when the newsroom is a repository."""
