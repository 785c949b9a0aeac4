"""``python -m infra gitops``: the apps as manifests Argo CD applies (``platform:delivery: argocd``)."""
