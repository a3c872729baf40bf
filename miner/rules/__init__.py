"""The built-in rule packs: YAML data only, next to the code that reads them."""
