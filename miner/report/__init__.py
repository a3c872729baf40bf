"""The reporter: Markdown, HTML and JSON from a ``Report``."""

from miner.report.render import FORMATS, json_schema, render, to_json_data

__all__ = ["FORMATS", "json_schema", "render", "to_json_data"]
