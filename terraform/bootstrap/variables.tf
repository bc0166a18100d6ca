# ---------------------------------------------------------------- accounts ---
# Named as in the root configuration (../variables.tf): the same values go in both.

variable "source_region" {
  description = "Region of the source account's IoT Core, as in the root's source_region."
  type        = string
  nullable    = false
}

variable "destination_region" {
  description = "Region of the destination account's resources, as in the root's destination_region."
  type        = string
  nullable    = false
}

variable "source_profile" {
  description = "Optional AWS CLI profile with administrator rights in the source account (used once, to apply this configuration)."
  type        = string
  default     = null
}

variable "destination_profile" {
  description = "Optional AWS CLI profile with administrator rights in the destination account (used once, to apply this configuration)."
  type        = string
  default     = null
}

variable "source_assume_role_arn" {
  description = "Optional administrator role to assume in the source account for this apply."
  type        = string
  default     = null

  validation {
    condition     = var.source_assume_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.source_assume_role_arn))
    error_message = "source_assume_role_arn must be an IAM role ARN (arn:aws:iam::123456789012:role/NAME) or null."
  }
}

variable "destination_assume_role_arn" {
  description = "Optional administrator role to assume in the destination account for this apply."
  type        = string
  default     = null

  validation {
    condition     = var.destination_assume_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.destination_assume_role_arn))
    error_message = "destination_assume_role_arn must be an IAM role ARN (arn:aws:iam::123456789012:role/NAME) or null."
  }
}

# ------------------------------------------------------------------ GitHub ---

variable "github_repository" {
  description = "The GitHub repository that deploys, as OWNER/REPO (the OIDC token's sub claim starts with repo:OWNER/REPO:)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be OWNER/REPO, e.g. my-org/iot-cross-account-bridge (no wildcard, no URL)."
  }
}

variable "github_repository_ids" {
  description = "Numeric owner and repository IDs (gh api repos/OWNER/REPO --jq '.owner.id, .id'), for repositories with GitHub's immutable subject claims (sub = repo:OWNER@OWNER_ID/REPO@REPO_ID:...); when set, the roles trust both subject forms. Null trusts the repo:OWNER/REPO form only."
  type = object({
    owner_id = number
    repo_id  = number
  })
  default = null
}

variable "github_environments" {
  description = "GitHub environments whose jobs may assume the deploy role (sub claim repo:OWNER/REPO:environment:NAME). deploy.yml's apply job runs in `production`."
  type        = list(string)
  default     = ["production"]
  nullable    = false

  validation {
    condition     = length(var.github_environments) > 0 && alltrue([for e in var.github_environments : can(regex("^[A-Za-z0-9_. -]{1,255}$", e)) && !strcontains(e, "*")])
    error_message = "github_environments must name at least one GitHub environment, each without wildcards (letters, digits, space, '.', '_', '-')."
  }
}

variable "github_oidc_provider_arn" {
  description = "ARN of an existing GitHub OIDC provider (token.actions.githubusercontent.com) in the destination account; null creates one. An account holds at most one provider per URL."
  type        = string
  default     = null

  validation {
    condition     = var.github_oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", var.github_oidc_provider_arn))
    error_message = "github_oidc_provider_arn must be arn:aws:iam::ACCOUNT:oidc-provider/token.actions.githubusercontent.com or null."
  }
}

variable "role_name_prefix" {
  description = "Prefix of the four roles and the permissions boundary policies created here: <prefix>-plan, <prefix>-deploy (destination), <prefix>-source-plan, <prefix>-source-deploy (source), <prefix>-boundary (both)."
  type        = string
  default     = "gha-iot-bridge"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,48}$", var.role_name_prefix))
    error_message = "role_name_prefix must be 1-48 characters of an IAM role name ([A-Za-z0-9+=,.@_-])."
  }
}

# ------------------------------------------------------------------ bridge ---
# The names the root gives the bridge's resources: the roles may act on these only.

variable "name_prefix" {
  description = "The root's name_prefix (destination resources: queue, DLQ, function and its role, log group, alarms, KMS alias); validated by modules/names, as in the destination module."
  type        = string
  default     = "iot-bridge"
  nullable    = false
}

variable "rule_name_prefix" {
  description = "The root's rule_name_prefix (topic rules <prefix>_<route>, error log group /aws/iot/<prefix>/rule-errors); validated by modules/names, as in the source module."
  type        = string
  default     = "iot_bridge"
  nullable    = false
}

variable "rule_role_name" {
  description = "The root's rule_role_name (source roles <name> and <name>-errors); validated by modules/names, as in the source module."
  type        = string
  default     = "iot-bridge-rule"
  nullable    = false
}

variable "create_kms_key" {
  description = "The root's create_kms_key: true lets the destination deploy role create and manage the queues' customer managed key."
  type        = bool
  default     = false
  nullable    = false
}

# ------------------------------------------------------------------- state ---

variable "state_bucket" {
  description = "S3 bucket of the root's remote state (destination account, docs/deploy.md section 2): the deploy role reads and writes the state and its lock file, the plan role reads the state."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be an S3 bucket name (3-63 characters of a-z, 0-9, '.', '-')."
  }
}

variable "state_key" {
  description = "Object key of the root's state in state_bucket (the TF_STATE_KEY repository variable)."
  type        = string
  default     = "iot-cross-account-bridge/terraform.tfstate"
  nullable    = false

  validation {
    condition     = length(var.state_key) > 0 && !strcontains(var.state_key, "*")
    error_message = "state_key must be a non-empty object key without '*'."
  }
}

variable "state_lock_table" {
  description = "Optional DynamoDB lock table (the TF_STATE_LOCK_TABLE repository variable) the deploy role may use; null with the S3 lock file alone."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource created here (provider default_tags)."
  type        = map(string)
  default     = { Project = "iot-cross-account-bridge" }
  nullable    = false
}
