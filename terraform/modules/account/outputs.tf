output "account_id" {
  description = "ID of the account the provider deploys into."
  value       = data.aws_caller_identity.current.account_id
}

output "region" {
  description = "Region of the provider."
  # aws_region has "name" in provider 5.x; 6.x adds "region" and deprecates "name" (and "id").
  # Reading the object, not the attribute, works on both without a deprecation warning.
  value = coalesce(lookup(data.aws_region.current, "region", null), lookup(data.aws_region.current, "name", null))
}

output "partition" {
  description = "Partition of the account (aws, aws-cn, aws-us-gov), for ARNs."
  value       = data.aws_partition.current.partition
}
