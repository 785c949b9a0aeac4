"""Pulumi type token -> Terraform resource type, and the inputs whose Terraform name differs.

pulumi-aws and pulumi-gcp are generated from the Terraform providers ("bridged"): each resource
is a Terraform resource, and each input is the Terraform attribute in camelCase, except where
the bridge pluralised a repeated block (Terraform ``parameter`` blocks are Pulumi
``parameters``). ``RENAMES`` lists those, by the input's dotted path; every other input is the
SDK's own snake_case name (read in ``infra.export.sdk``). A type missing here fails the export
and a test, so a new resource cannot silently escape the scan.
"""

from __future__ import annotations

PROVIDERS = {
    "aws": "registry.terraform.io/hashicorp/aws",
    "gcp": "registry.terraform.io/hashicorp/google",
}

# Types that only the google-beta Terraform provider has; their plan entries name that provider.
BETA_TYPES = {"google_project_service_identity"}
BETA_PROVIDER = "registry.terraform.io/hashicorp/google-beta"

TERRAFORM_TYPES: dict[str, str] = {
    "aws:appautoscaling/policy:Policy": "aws_appautoscaling_policy",
    "aws:appautoscaling/target:Target": "aws_appautoscaling_target",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "aws_ecr_lifecycle_policy",
    "aws:ecr/repository:Repository": "aws_ecr_repository",
    "aws:eks/accessEntry:AccessEntry": "aws_eks_access_entry",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": "aws_eks_access_policy_association",
    "aws:eks/addon:Addon": "aws_eks_addon",
    "aws:eks/cluster:Cluster": "aws_eks_cluster",
    "aws:eks/nodeGroup:NodeGroup": "aws_eks_node_group",
    "aws:elasticache/parameterGroup:ParameterGroup": "aws_elasticache_parameter_group",
    "aws:elasticache/replicationGroup:ReplicationGroup": "aws_elasticache_replication_group",
    "aws:elasticache/subnetGroup:SubnetGroup": "aws_elasticache_subnet_group",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "aws_iam_openid_connect_provider",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:msk/cluster:Cluster": "aws_msk_cluster",
    "aws:msk/configuration:Configuration": "aws_msk_configuration",
    "aws:msk/topic:Topic": "aws_msk_topic",
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": (
        "aws_db_instance_automated_backups_replication"
    ),
    "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (
        "aws_s3_bucket_lifecycle_configuration"
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "aws_s3_bucket_server_side_encryption_configuration"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:sns/topicSubscription:TopicSubscription": "aws_sns_topic_subscription",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
    "gcp:compute/firewall:Firewall": "google_compute_firewall",
    "gcp:compute/globalAddress:GlobalAddress": "google_compute_global_address",
    "gcp:compute/network:Network": "google_compute_network",
    "gcp:compute/router:Router": "google_compute_router",
    "gcp:compute/routerNat:RouterNat": "google_compute_router_nat",
    "gcp:compute/subnetwork:Subnetwork": "google_compute_subnetwork",
    "gcp:artifactregistry/repository:Repository": "google_artifact_registry_repository",
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": (
        "google_artifact_registry_repository_iam_member"
    ),
    "gcp:container/cluster:Cluster": "google_container_cluster",
    "gcp:container/nodePool:NodePool": "google_container_node_pool",
    "gcp:dns/dnsManagedZoneIamMember:DnsManagedZoneIamMember": "google_dns_managed_zone_iam_member",
    "gcp:kms/cryptoKey:CryptoKey": "google_kms_crypto_key",
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": "google_kms_crypto_key_iam_member",
    "gcp:kms/keyRing:KeyRing": "google_kms_key_ring",
    "gcp:managedkafka/cluster:Cluster": "google_managed_kafka_cluster",
    "gcp:managedkafka/topic:Topic": "google_managed_kafka_topic",
    "gcp:networkconnectivity/serviceConnectionPolicy:ServiceConnectionPolicy": (
        "google_network_connectivity_service_connection_policy"
    ),
    "gcp:monitoring/alertPolicy:AlertPolicy": "google_monitoring_alert_policy",
    "gcp:monitoring/notificationChannel:NotificationChannel": "google_monitoring_notification_channel",
    "gcp:projects/iAMMember:IAMMember": "google_project_iam_member",
    "gcp:projects/service:Service": "google_project_service",
    # a google-beta resource in Terraform (pulumi-gcp bridges both providers): BETA_TYPES
    "gcp:projects/serviceIdentity:ServiceIdentity": "google_project_service_identity",
    "gcp:redis/cluster:Cluster": "google_redis_cluster",
    "gcp:serviceaccount/account:Account": "google_service_account",
    "gcp:serviceaccount/iAMMember:IAMMember": "google_service_account_iam_member",
    "gcp:servicenetworking/connection:Connection": "google_service_networking_connection",
    "gcp:sql/database:Database": "google_sql_database",
    "gcp:sql/databaseInstance:DatabaseInstance": "google_sql_database_instance",
    "gcp:sql/user:User": "google_sql_user",
    "gcp:storage/bucket:Bucket": "google_storage_bucket",
    "gcp:storage/bucketIAMMember:BucketIAMMember": "google_storage_bucket_iam_member",
}

# Inputs the bridge renamed (pluralised repeated blocks), by dotted Pulumi path: Terraform name.
RENAMES: dict[str, dict[str, str]] = {
    "aws:ec2/routeTable:RouteTable": {"routes": "route"},
    "aws:ecr/repository:Repository": {"encryptionConfigurations": "encryption_configuration"},
    "aws:eks/addon:Addon": {"podIdentityAssociations": "pod_identity_association"},
    "aws:elasticache/parameterGroup:ParameterGroup": {"parameters": "parameter"},
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        "logDeliveryConfigurations": "log_delivery_configuration"
    },
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {"clientIdLists": "client_id_list"},
    "aws:rds/parameterGroup:ParameterGroup": {"parameters": "parameter"},
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {"rules": "rule"},
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
        "rules": "rule"
    },
    "gcp:compute/firewall:Firewall": {"allows": "allow", "denies": "deny"},
    "gcp:compute/subnetwork:Subnetwork": {"secondaryIpRanges": "secondary_ip_range"},
    "gcp:redis/cluster:Cluster": {
        "maintenancePolicy.weeklyMaintenanceWindows": "weekly_maintenance_window"
    },
    "gcp:storage/bucket:Bucket": {"lifecycleRules": "lifecycle_rule"},
}
