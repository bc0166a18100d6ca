# What every file of the module uses: the account it deploys into and the resource names.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

data "aws_iot_endpoint" "this" {
  endpoint_type = "iot:Data-ATS"
}

module "inputs" {
  source = "../inputs"

  routes               = var.routes
  permissions_boundary = var.permissions_boundary
}

locals {
  account_id = data.aws_caller_identity.current.account_id
  # aws_region has "name" in provider 5.x; 6.x adds "region" and deprecates
  # "name" (and "id"). Reading the object, not the attribute, works on both
  # without a deprecation warning.
  region    = coalesce(lookup(data.aws_region.current, "region", null), lookup(data.aws_region.current, "name", null))
  partition = data.aws_partition.current.partition

  queue_name    = var.name_prefix
  dlq_name      = "${var.name_prefix}-dlq"
  function_name = "${var.name_prefix}-publisher"

  # The source rule roles the queue and key policies admit.
  source_account_roots = distinct([for s in var.sources : "arn:${local.partition}:iam::${s.account_id}:root"])
  source_rule_role_arns = [
    for s in var.sources : "arn:${local.partition}:iam::${s.account_id}:role/${s.rule_role_name}"
  ]
}
