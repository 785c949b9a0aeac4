"""What the operations commands share: exit codes, the one-line error, AWS client errors.

Exit codes follow the plan's: 0 ok, 1 the command ran but its check failed (the drill missed its
target), 2 bad input or a missing thing (one clear line, no traceback).
"""

from __future__ import annotations

from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from rich.console import Console
from rich.markup import escape

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


class OpsError(Exception):
    """A user-facing problem: printed as one line, exit 2."""


def error_code(exc: ClientError) -> str:
    """The AWS error code of ``exc`` (``NoSuchBucket``, ``DBInstanceNotFound``...)."""
    return str(exc.response.get("Error", {}).get("Code", ""))


def run_guarded(body: Callable[[], int], errors: Console) -> int:
    """Run ``body``; an ``OpsError`` or AWS failure becomes one red line and exit 2."""
    try:
        return body()
    except OpsError as exc:
        message = str(exc)
    except NoCredentialsError:
        message = "no AWS credentials: set AWS_PROFILE or run `aws sso login` first"
    except ClientError as exc:
        operation = getattr(exc, "operation_name", "AWS call")
        detail = exc.response.get("Error", {}).get("Message", "")
        message = f"{operation} failed: {error_code(exc)}: {detail}"
    except BotoCoreError as exc:
        message = f"AWS SDK error: {exc}"
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return EXIT_ERROR


def check_aws_region(region: str) -> None:
    """Refuse a region botocore does not know (a typo would otherwise fail deep inside a call)."""
    import boto3

    session = boto3.Session()
    known = {
        name
        for partition in session.get_available_partitions()
        for name in session.get_available_regions("s3", partition_name=partition)
    }
    if region not in known:
        raise OpsError(f"--region {region!r}: not an AWS region (e.g. eu-west-1, us-east-1)")
