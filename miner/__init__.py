"""contribution-miner: evidence for a promotion case, from Git and GitHub."""

__version__ = "0.1.0"
