"""The rules engine: rule packs as YAML data, conditions over evidence fields."""

from miner.engine.evaluate import evaluate, run_examples
from miner.engine.loader import DEFAULT_PACK, load_pack
from miner.engine.schema import Rule, RulePack

__all__ = ["DEFAULT_PACK", "Rule", "RulePack", "evaluate", "load_pack", "run_examples"]
