"""Azure Database for PostgreSQL Flexible Server limits the API enforces.

The config rules (``infra/config/cloud_rules.py``) refuse other values with a clear message;
the pack's ``deploy-azure-*`` rules refuse them in a plan built any other way.
"""

# Flexible Server Premium SSD sizes (GiB): any other size is rejected by the API.
# https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-storage
AZURE_POSTGRES_STORAGE_GB = (32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767)
# Flexible Server backup retention accepts 7-35 days.
# https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-backup-restore
AZURE_BACKUP_RETENTION_DAYS = (7, 35)
