variable "name_prefix" {
  description = "Prefix of the destination resources' names (queue <prefix>, DLQ <prefix>-dlq, function <prefix>-publisher, ...), or null."
  type        = string
  default     = null

  validation {
    condition     = var.name_prefix == null || can(regex("^[A-Za-z0-9_-]{1,40}$", var.name_prefix))
    error_message = "name_prefix must match ^[A-Za-z0-9_-]{1,40}$."
  }
}

variable "rule_name_prefix" {
  description = "Prefix of the topic rule names (<prefix>_<route name>), or null."
  type        = string
  default     = null

  validation {
    condition     = var.rule_name_prefix == null || can(regex("^[A-Za-z0-9_]{1,64}$", var.rule_name_prefix))
    error_message = "rule_name_prefix must match ^[A-Za-z0-9_]{1,64}$ (IoT rule names allow only letters, digits and underscores)."
  }
}

variable "rule_role_name" {
  description = "Name of the role the topic rules assume (and <name>-errors, the error action's), or null."
  type        = string
  default     = null

  validation {
    # The error action's role is "<rule_role_name>-errors", and IAM role names end at 64.
    condition     = var.rule_role_name == null || can(regex("^[A-Za-z0-9+=,.@_-]{1,57}$", var.rule_role_name))
    error_message = "rule_role_name must be 1-57 characters of A-Za-z0-9+=,.@_-: the error action role is named <rule_role_name>-errors, and IAM role names are at most 64 characters."
  }
}
