"""Tag keys and secret-looking setting names: what the program sets and the pack requires."""

import re

REQUIRED_TAG_KEYS = ("project", "environment", "stack", "managed-by", "component")
# Setting names that suggest a secret: never allowed in a ConfigMap (config and policy agree).
SECRET_LOOKING_NAME = re.compile(
    r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)", re.I
)
