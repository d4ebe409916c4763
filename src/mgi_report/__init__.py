"""mgi-report: compile print-ready Migration Governance Profiles."""

__version__ = "0.1.0"
