# The bootstrap's policies, rendered with mock providers (no AWS account):
#   - no iam:AttachRolePolicy allowed anywhere, and denied explicitly to the deploy roles;
#   - every iam:CreateRole / PutRolePermissionsBoundary carries the iam:PermissionsBoundary
#     condition naming this configuration's boundary, every iam:PassRole an
#     iam:PassedToService condition;
#   - Allow statements never use an action wildcard, and use Resource "*" only in the
#     statements for actions without resource-level permissions (allowlist below);
#   - the plan roles only read (Get*, List*, Describe*, and assuming the source plan role);
#   - trust: deploy only from the configured environments, plan from any ref of the
#     repository, the source roles only from the destination role of the same kind.
# Run: cd terraform/bootstrap && terraform init -backend=false && terraform test
# What the roles allow is also checked against the calls the AWS provider really makes:
# make e2e-terraform (terraform/tests/e2e/iam_calls.py, recorded-calls/).

mock_provider "aws" {
  alias = "source"
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111111111111" }
  }
}

mock_provider "aws" {
  alias = "destination"
  mock_data "aws_caller_identity" {
    defaults = { account_id = "222222222222" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  source_region      = "eu-west-1"
  destination_region = "eu-central-1"
  github_repository  = "example-org/iot-cross-account-bridge"
  state_bucket       = "example-iot-bridge-tfstate"
  create_kms_key     = true
  state_lock_table   = "iot-bridge-tflock"

  # Statements whose actions AWS documents without resource-level permissions.
  # Plan role statements with a wildcard in the resource: a list action (log groups), the
  # event source mapping (random UUID) and the queue key (random key ID), metadata only.
  plan_wildcards = ["ListLogGroups", "ReadEventSourceMapping", "ReadQueueKey"]

  star_allowlist = ["NoResourceLevelReads", "ListKeyAliases", "ListTopicRules", "CreateEventSourceMapping", "CreateQueueKey", "XRayTracing"]
}

run "policies" {
  command = apply

  assert {
    condition = alltrue(flatten([for name, p in output.policies : [
      for s in jsondecode(p).Statement : s.Effect == "Deny" || !contains([for a in flatten([s.Action]) : lower(a)], "iam:attachrolepolicy")
    ]]))
    error_message = "A policy allows iam:AttachRolePolicy."
  }

  assert {
    condition = alltrue([for name in ["destination_deploy", "source_deploy"] : anytrue([
      for s in jsondecode(output.policies[name]).Statement : s.Effect == "Deny" && contains(flatten([s.Action]), "iam:AttachRolePolicy")
    ])])
    error_message = "The deploy roles must deny iam:AttachRolePolicy explicitly."
  }

  assert {
    condition = alltrue(flatten([for name, boundary in {
      destination_deploy = output.destination_permissions_boundary_arn
      source_deploy      = output.source_permissions_boundary_arn
      } : [
      for s in jsondecode(output.policies[name]).Statement : (
        try(s.Condition.StringEquals["iam:PermissionsBoundary"], null) == "arn:aws:iam::${name == "source_deploy" ? "111111111111" : "222222222222"}:policy/gha-iot-bridge-boundary"
      ) if s.Effect == "Allow" && length(setintersection(toset(flatten([s.Action])), toset(["iam:CreateRole", "iam:PutRolePermissionsBoundary"]))) > 0
    ]]))
    error_message = "iam:CreateRole / iam:PutRolePermissionsBoundary must be allowed only with iam:PermissionsBoundary = this account's boundary."
  }

  assert {
    condition = alltrue(flatten([for name, p in output.policies : [
      for s in jsondecode(p).Statement : contains(["lambda.amazonaws.com", "iot.amazonaws.com"], try(s.Condition.StringEquals["iam:PassedToService"], "")) if s.Effect == "Allow" && contains(flatten([s.Action]), "iam:PassRole")
    ]]))
    error_message = "iam:PassRole must be allowed only with iam:PassedToService lambda or iot."
  }

  assert {
    condition = alltrue(flatten([for name, p in output.policies : [
      for s in jsondecode(p).Statement : alltrue([for a in flatten([s.Action]) : !strcontains(a, "*")]) if s.Effect == "Allow"
    ]]))
    error_message = "An Allow statement uses an action wildcard."
  }

  assert {
    condition = alltrue(flatten([for name, p in output.policies : [
      for s in jsondecode(p).Statement : contains(var.star_allowlist, s.Sid) if s.Effect == "Allow" && contains(flatten([s.Resource]), "*")
    ]]))
    error_message = "An Allow statement outside the allowlist has Resource \"*\"."
  }

  assert {
    condition = alltrue(flatten([for name in ["destination_plan", "source_plan"] : [
      for s in jsondecode(output.policies[name]).Statement : alltrue([
        for a in flatten([s.Action]) : can(regex("^[a-z0-9]+:(Get|List|Describe)", a)) || a == "sts:AssumeRole"
      ])
    ]]))
    error_message = "A plan role may do more than read (Get*, List*, Describe*)."
  }

  assert {
    condition = alltrue(flatten([for name in ["destination_plan", "source_plan"] : [
      for s in jsondecode(output.policies[name]).Statement : alltrue([for r in flatten([s.Resource]) : r == "*" || can(regex("iot-bridge|iot_bridge|example-iot-bridge-tfstate|gha-iot-bridge-source-plan$", r)) || contains(var.plan_wildcards, s.Sid)])
    ]]))
    error_message = "A plan role reads a resource that is not the bridge's, outside the statements allowed a wildcard (plan_wildcards)."
  }

  assert {
    condition     = jsondecode(aws_iam_role.destination["deploy"].assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] == ["repo:example-org/iot-cross-account-bridge:environment:production"]
    error_message = "The deploy role must trust only the configured environments."
  }

  assert {
    condition     = jsondecode(aws_iam_role.destination["plan"].assume_role_policy).Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"] == ["repo:example-org/iot-cross-account-bridge:*"]
    error_message = "The plan role must trust any ref of the repository, and only it."
  }

  assert {
    condition = alltrue([for k in ["plan", "deploy"] :
      jsondecode(aws_iam_role.source[k].assume_role_policy).Statement[0].Principal.AWS == "arn:aws:iam::222222222222:role/gha-iot-bridge-${k}"
    ])
    error_message = "Each source role must trust only the destination role of the same kind."
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 1
    error_message = "Without github_oidc_provider_arn, the OIDC provider is created."
  }
}

run "existing_oidc_provider_and_no_kms" {
  command = apply

  variables {
    github_oidc_provider_arn = "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"
    create_kms_key           = false
    state_lock_table         = null
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0 && output.github_oidc_provider_arn == "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"
    error_message = "An existing OIDC provider is reused, not created."
  }

  assert {
    condition     = !strcontains(output.policies.destination_deploy, "kms:") && !strcontains(output.policies.destination_deploy, "dynamodb:")
    error_message = "Without create_kms_key and a lock table, the deploy role has no KMS or DynamoDB permissions."
  }
}

run "immutable_subject_claims" {
  command = apply

  variables {
    github_repository_ids = { owner_id = 1234, repo_id = 5678 }
    github_environments   = ["production", "staging"]
  }

  assert {
    condition = jsondecode(aws_iam_role.destination["deploy"].assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] == [
      "repo:example-org/iot-cross-account-bridge:environment:production",
      "repo:example-org/iot-cross-account-bridge:environment:staging",
      "repo:example-org@1234/iot-cross-account-bridge@5678:environment:production",
      "repo:example-org@1234/iot-cross-account-bridge@5678:environment:staging",
    ]
    error_message = "With repository IDs the deploy role trusts both subject forms, for each environment only."
  }
}

run "rejects_a_wildcard_repository" {
  command = plan

  variables {
    github_repository = "example-org/*"
  }

  expect_failures = [var.github_repository]
}

run "rejects_a_role_prefix_that_covers_the_bridge_roles" {
  command = plan

  variables {
    role_name_prefix = "iot"
  }

  expect_failures = [terraform_data.names_apart]
}
