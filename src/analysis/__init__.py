"""Plan-evaluation pipeline: Chinese five-year-plan targets as tidy data.

Researchers start with ``from analysis import load`` and ``load.indicators(plan="minhang-15")``.
"""

__version__ = "0.1.0"
