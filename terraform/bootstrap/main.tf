# Deploy roles as code (docs/deploy.md): per account a plan role (read-only, any
# branch or pull request of the repository) and a deploy role (only the configured
# GitHub environments), each scoped to the bridge's own ARNs, plus the permissions
# boundary that every role the deploy roles create must carry.
#
# GitHub signs in to the destination account only (one OIDC provider, there); the
# source roles trust the destination role of the same kind, which is how the root's
# aws.source provider reaches them (source_assume_role_arn, sts:AssumeRole).

data "aws_caller_identity" "source" {
  provider = aws.source
}

data "aws_caller_identity" "destination" {
  provider = aws.destination
}

data "aws_partition" "destination" {
  provider = aws.destination
}

# The bridge's names, validated as the modules that create the resources validate them.
module "names" {
  source = "../modules/names"

  name_prefix      = var.name_prefix
  rule_name_prefix = var.rule_name_prefix
  rule_role_name   = var.rule_role_name
}

locals {
  partition           = data.aws_partition.destination.partition
  source_account      = data.aws_caller_identity.source.account_id
  destination_account = data.aws_caller_identity.destination.account_id

  # ------------------------------------------------------------- our roles ---
  role_names = {
    destination_plan   = "${var.role_name_prefix}-plan"
    destination_deploy = "${var.role_name_prefix}-deploy"
    source_plan        = "${var.role_name_prefix}-source-plan"
    source_deploy      = "${var.role_name_prefix}-source-deploy"
  }
  boundary_name = "${var.role_name_prefix}-boundary"

  destination_iam = "arn:${local.partition}:iam::${local.destination_account}"
  source_iam      = "arn:${local.partition}:iam::${local.source_account}"

  destination_plan_role_arn   = "${local.destination_iam}:role/${local.role_names.destination_plan}"
  destination_deploy_role_arn = "${local.destination_iam}:role/${local.role_names.destination_deploy}"
  source_plan_role_arn        = "${local.source_iam}:role/${local.role_names.source_plan}"
  source_deploy_role_arn      = "${local.source_iam}:role/${local.role_names.source_deploy}"

  destination_boundary_arn = "${local.destination_iam}:policy/${local.boundary_name}"
  source_boundary_arn      = "${local.source_iam}:policy/${local.boundary_name}"

  # ------------------------------------------------- the bridge's resources ---
  # Names as the modules build them (modules/destination, modules/source).
  d   = "${local.partition}:%s:${var.destination_region}:${local.destination_account}"
  s   = "${local.partition}:%s:${var.source_region}:${local.source_account}"
  fn  = "${module.names.name_prefix}-publisher"
  fnp = "arn:${format(local.d, "lambda")}:function:${local.fn}"

  bridge = {
    queue_arns           = ["arn:${format(local.d, "sqs")}:${module.names.name_prefix}", "arn:${format(local.d, "sqs")}:${module.names.name_prefix}-dlq"]
    queue_arn            = "arn:${format(local.d, "sqs")}:${module.names.name_prefix}"
    dlq_arn              = "arn:${format(local.d, "sqs")}:${module.names.name_prefix}-dlq"
    function_arns        = [local.fnp, "${local.fnp}:*"] # versions and the alias `live`
    function_role_arn    = "${local.destination_iam}:role/${local.fn}"
    function_log_group   = "arn:${format(local.d, "logs")}:log-group:/aws/lambda/${local.fn}"
    alarm_arns           = "arn:${format(local.d, "cloudwatch")}:alarm:${module.names.name_prefix}-*"
    kms_key_arns         = "arn:${format(local.d, "kms")}:key/*"
    kms_alias_arn        = "arn:${format(local.d, "kms")}:alias/${module.names.name_prefix}-queue"
    topic_arns           = "arn:${format(local.d, "iot")}:topic/*"
    reserved_topic_arns  = "arn:${format(local.d, "iot")}:topic/$*"
    esm_arns             = "arn:${format(local.d, "lambda")}:event-source-mapping:*"
    rule_arns            = "arn:${format(local.s, "iot")}:rule/${module.names.rule_name_prefix}_*"
    rule_role_arns       = ["${local.source_iam}:role/${module.names.rule_role_name}", "${local.source_iam}:role/${module.names.rule_role_name}-errors"]
    rule_error_log_group = "arn:${format(local.s, "logs")}:log-group:/aws/iot/${module.names.rule_name_prefix}/rule-errors"
  }

  # ------------------------------------------------------------ GitHub OIDC ---
  github_oidc_host         = "token.actions.githubusercontent.com"
  github_oidc_provider_arn = coalesce(var.github_oidc_provider_arn, try(aws_iam_openid_connect_provider.github[0].arn, null))

  # The subject's repository part: repo:OWNER/REPO, and with immutable subject claims
  # repo:OWNER@OWNER_ID/REPO@REPO_ID (docs/deploy.md, section 3).
  github_owner_repo = split("/", var.github_repository)
  github_subjects = concat(["repo:${var.github_repository}"], var.github_repository_ids == null ? [] : [
    "repo:${local.github_owner_repo[0]}@${var.github_repository_ids.owner_id}/${local.github_owner_repo[1]}@${var.github_repository_ids.repo_id}"
  ])

  trust_github = {
    # Read-only: any branch, tag, pull request or environment of the repository.
    plan = {
      StringEquals = { "${local.github_oidc_host}:aud" = "sts.amazonaws.com" }
      StringLike   = { "${local.github_oidc_host}:sub" = [for s in local.github_subjects : "${s}:*"] }
    }
    # Writes: only a job that runs in one of the environments (their protection rules apply).
    deploy = {
      StringEquals = {
        "${local.github_oidc_host}:aud" = "sts.amazonaws.com"
        "${local.github_oidc_host}:sub" = flatten([for s in local.github_subjects : [for e in var.github_environments : "${s}:environment:${e}"]])
      }
    }
  }
}

resource "aws_iam_openid_connect_provider" "github" {
  count    = var.github_oidc_provider_arn == null ? 1 : 0
  provider = aws.destination

  url            = "https://${local.github_oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
  # AWS secures this provider with its own trusted root CAs and no longer reads the
  # thumbprint (IAM user guide, "Configuring a role for GitHub OIDC identity provider");
  # the API still requires a value on older SDKs: GitHub's published intermediate one.
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
}

# ----------------------------------------------------- destination account ---

resource "aws_iam_role" "destination" {
  for_each = { plan = local.role_names.destination_plan, deploy = local.role_names.destination_deploy }
  provider = aws.destination

  name                 = each.value
  description          = "iot-bridge ${each.key} role for GitHub Actions (${var.github_repository}); created by terraform/bootstrap."
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "GitHubActions${title(each.key)}"
      Effect    = "Allow"
      Principal = { Federated = local.github_oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = local.trust_github[each.key]
    }]
  })
}

resource "aws_iam_role_policy" "destination" {
  for_each = aws_iam_role.destination
  provider = aws.destination

  name   = "iot-bridge-${each.key}"
  role   = each.value.id
  policy = each.key == "plan" ? local.destination_plan_policy : local.destination_deploy_policy
}

resource "aws_iam_policy" "destination_boundary" {
  provider = aws.destination

  name        = local.boundary_name
  description = "Permissions boundary of every role the iot-bridge deploy role creates in this account (the function role): the most such a role can ever do."
  policy      = local.destination_boundary_policy
}

# ---------------------------------------------------------- source account ---

resource "aws_iam_role" "source" {
  for_each = { plan = local.role_names.source_plan, deploy = local.role_names.source_deploy }
  provider = aws.source

  name                 = each.value
  description          = "iot-bridge ${each.key} role in the source account, assumed from the destination ${each.key} role; created by terraform/bootstrap."
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "FromDestination${title(each.key)}Role"
      Effect    = "Allow"
      Principal = { AWS = each.key == "plan" ? local.destination_plan_role_arn : local.destination_deploy_role_arn }
      Action    = "sts:AssumeRole"
    }]
  })

  # The trust names a role of the other account by ARN: IAM refuses it until that role exists.
  depends_on = [aws_iam_role.destination]
}

resource "aws_iam_role_policy" "source" {
  for_each = aws_iam_role.source
  provider = aws.source

  name   = "iot-bridge-${each.key}"
  role   = each.value.id
  policy = each.key == "plan" ? local.source_plan_policy : local.source_deploy_policy
}

resource "aws_iam_policy" "source_boundary" {
  provider = aws.source

  name        = local.boundary_name
  description = "Permissions boundary of every role the iot-bridge source deploy role creates in this account (the rule roles): the most such a role can ever do."
  policy      = local.source_boundary_policy
}

# The deploy roles deny themselves every IAM action on role/<role_name_prefix>-*: a bridge
# role under that prefix could never be created. Refused here, with the fix, instead.
resource "terraform_data" "names_apart" {
  lifecycle {
    precondition {
      condition = alltrue([for role in ["${module.names.name_prefix}-publisher", module.names.rule_role_name, "${module.names.rule_role_name}-errors"] :
        !startswith(role, "${var.role_name_prefix}-")
      ])
      error_message = "role_name_prefix \"${var.role_name_prefix}\" covers a role of the bridge (${module.names.name_prefix}-publisher, ${module.names.rule_role_name}, ${module.names.rule_role_name}-errors): the deploy roles deny themselves changes to role/${var.role_name_prefix}-*. Choose a role_name_prefix that none of them starts with (the default gha-iot-bridge)."
    }
  }
}
