"""The built-in rule packs: YAML data only, shipped inside the package as ``miner.rules``."""
