"""機密守門員 detection library: text in, findings out. Knows nothing of Telegram.

    from detectors import Scanner
    result = Scanner.from_config({"min_score": 0.5}).scan("身分證 A123456789")
    result.categories, result.severity, result.action, result.findings
"""

from detectors.config import ConfigError, DetectorConfig
from detectors.scanner import Scanner
from detectors.types import (
    CATEGORIES,
    ENTITY_TYPES,
    Action,
    Finding,
    ScanResult,
    Severity,
)

__all__ = [
    "CATEGORIES",
    "ENTITY_TYPES",
    "Action",
    "ConfigError",
    "DetectorConfig",
    "Finding",
    "ScanResult",
    "Scanner",
    "Severity",
]
