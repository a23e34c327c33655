"""Pure-Python policy engine (no Django): policies as data, the calculator, vectorised screening."""

from .calculator import MeasureOutcome, Result, calculate
from .errors import PolicyDataError, PolicyInputError
from .events import EVENT_KINDS, parse_events
from .facts_adapter import Enterprise, enterprise_from_facts
from .loader import DATA_DIR, load_policies, load_policy_file
from .model import Measure, Parameter, Policy

__all__ = [
    "calculate", "Result", "MeasureOutcome", "PolicyDataError", "PolicyInputError", "EVENT_KINDS",
    "parse_events", "Enterprise", "enterprise_from_facts", "DATA_DIR", "load_policies",
    "load_policy_file", "Measure", "Parameter", "Policy",
]
