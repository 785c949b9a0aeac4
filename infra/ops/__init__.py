"""Operations a platform team runs against real clouds (``backend``, ``restore-drill``).

Unlike the offline plan these talk to the cloud through its own SDK (boto3 for AWS); the tests
run them against moto. Where an SDK is not installed here (GCP, Azure) the commands print the
documented CLI steps instead of pretending to run them.
"""
