from miner.cli import entry

entry()
