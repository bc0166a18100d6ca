# What every file of the module uses: the account it deploys into and the resource names.

data "aws_iot_endpoint" "this" {
  endpoint_type = "iot:Data-ATS"
}

module "inputs" {
  source = "../inputs"

  routes               = var.routes
  permissions_boundary = var.permissions_boundary
}

module "account" {
  source = "../account"
}

module "names" {
  source = "../names"

  name_prefix = var.name_prefix
}

locals {
  queue_name    = module.names.name_prefix
  dlq_name      = "${module.names.name_prefix}-dlq"
  function_name = "${module.names.name_prefix}-publisher"

  # The source rule roles the queue and key policies admit.
  source_account_roots = distinct([for s in var.sources : "arn:${module.account.partition}:iam::${s.account_id}:root"])
  source_rule_role_arns = [
    for s in var.sources : "arn:${module.account.partition}:iam::${s.account_id}:role/${s.rule_role_name}"
  ]
}
