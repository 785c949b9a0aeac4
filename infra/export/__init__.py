"""Exports a plan in the formats cloud security scanners read (checkov, trivy, KICS).

AWS and GCP stacks become a Terraform JSON plan (``tfplan.json``; pulumi-aws and pulumi-gcp are
bridged from the Terraform providers, so their resources are Terraform resources under another
name), Azure stacks an ARM deployment template (``arm.json``; azure-native inputs are ARM
properties), and every stack's Kubernetes objects rendered manifests (``k8s/``). Scanning these
lets a security team audit the cloud resources with its own tools, not only this project's
policy pack.
"""

from __future__ import annotations

from infra.export.writer import ExportError, export_plan

__all__ = ["ExportError", "export_plan"]
