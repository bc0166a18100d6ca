output "github_variables" {
  description = "Repository (or `production` environment) variables for .github/workflows/deploy.yml: copy each name and value under Settings > Secrets and variables > Actions > Variables. Role ARNs are no secrets; the workflows need none."
  value = {
    AWS_REGION                 = var.destination_region
    AWS_DEST_PLAN_ROLE_ARN     = aws_iam_role.destination["plan"].arn
    AWS_DEST_DEPLOY_ROLE_ARN   = aws_iam_role.destination["deploy"].arn
    AWS_SOURCE_PLAN_ROLE_ARN   = aws_iam_role.source["plan"].arn
    AWS_SOURCE_DEPLOY_ROLE_ARN = aws_iam_role.source["deploy"].arn
    TF_STATE_BUCKET            = var.state_bucket
    TF_STATE_KEY               = var.state_key
  }
}

output "terraform_variables" {
  description = "Root variables (terraform/variables.tf) to put in the tfvars file the workflow uses (TF_VARS_FILE): every role the deploy roles create carries these boundaries, and IAM refuses the role otherwise."
  value = {
    source_permissions_boundary      = aws_iam_policy.source_boundary.arn
    destination_permissions_boundary = aws_iam_policy.destination_boundary.arn
  }
}

output "destination_plan_role_arn" {
  description = "Read-only role in the destination account, assumable by GitHub Actions from any branch or pull request of the repository."
  value       = aws_iam_role.destination["plan"].arn
}

output "destination_deploy_role_arn" {
  description = "Deploy role in the destination account, assumable by GitHub Actions only from the configured environments."
  value       = aws_iam_role.destination["deploy"].arn
}

output "source_plan_role_arn" {
  description = "Read-only role in the source account, assumable only by the destination plan role."
  value       = aws_iam_role.source["plan"].arn
}

output "source_deploy_role_arn" {
  description = "Deploy role in the source account, assumable only by the destination deploy role."
  value       = aws_iam_role.source["deploy"].arn
}

output "destination_permissions_boundary_arn" {
  description = "Permissions boundary every role created by the destination deploy role must carry (the root's destination_permissions_boundary)."
  value       = aws_iam_policy.destination_boundary.arn
}

output "source_permissions_boundary_arn" {
  description = "Permissions boundary every role created by the source deploy role must carry (the root's source_permissions_boundary)."
  value       = aws_iam_policy.source_boundary.arn
}

output "github_oidc_provider_arn" {
  description = "The GitHub OIDC provider of the destination account the deploy and plan roles trust (created here unless github_oidc_provider_arn was given)."
  value       = local.github_oidc_provider_arn
}

output "policies" {
  description = "The permission policies (JSON) of the four roles and the two boundaries, by name: what terraform/tests/e2e checks recorded calls against."
  value = {
    destination_plan     = local.destination_plan_policy
    destination_deploy   = local.destination_deploy_policy
    source_plan          = local.source_plan_policy
    source_deploy        = local.source_deploy_policy
    destination_boundary = local.destination_boundary_policy
    source_boundary      = local.source_boundary_policy
  }
}
