variable "routes" {
  description = "Routes to bridge (docs/interfaces.md). One topic rule is created per route. The same list must be given to the destination module."
  type = list(object({
    name          = string
    source_filter = string
    condition     = optional(string, "")
    strip_prefix  = optional(string, "")
    add_prefix    = optional(string, "")
    qos           = optional(number, 1)
    retain        = optional(bool, false)
  }))
  nullable = false

  validation {
    condition     = length(var.routes) > 0
    error_message = "At least one route is required."
  }
  validation {
    condition     = alltrue([for r in var.routes : can(regex("^[A-Za-z0-9_]+$", r.name)) && length(r.name) <= 64])
    error_message = "Route names must match ^[A-Za-z0-9_]+$ (at most 64 characters)."
  }
  validation {
    condition     = length(distinct([for r in var.routes : r.name])) == length(var.routes)
    error_message = "Route names must be unique."
  }
  validation {
    condition = alltrue([for r in var.routes : (
      length(r.source_filter) > 0 && length(r.source_filter) <= 256 &&
      !startswith(r.source_filter, "$") &&
      length(regexall("['\\p{Cc}]", r.source_filter)) == 0 &&
      alltrue([for i, level in split("/", r.source_filter) : (
        level == "#" ? i == length(split("/", r.source_filter)) - 1 : (level == "+" || length(regexall("[#+]", level)) == 0)
      )])
    )])
    error_message = "Each source_filter must be a valid MQTT topic filter: not empty, at most 256 characters, not starting with '$', no quote or control character, '+' only as a whole level, '#' only as the whole last level."
  }
  validation {
    condition = alltrue([for r in var.routes : (
      startswith(r.source_filter, r.strip_prefix) && length(regexall("[#+]", r.strip_prefix)) == 0
    )])
    error_message = "Each strip_prefix must be a literal prefix of its route's source_filter (no '+' or '#')."
  }
  validation {
    condition     = alltrue([for r in var.routes : length(regexall("[#+\\p{Cc}]", r.add_prefix)) == 0 && !startswith(r.add_prefix, "$")])
    error_message = "add_prefix must not contain '+', '#' or a control character (U+0000-U+001F, U+007F-U+009F) and must not start with '$'."
  }
  validation {
    condition     = alltrue([for r in var.routes : contains([0, 1], r.qos)])
    error_message = "qos must be 0 or 1."
  }
}

variable "destination_queue_url" {
  description = "URL of the bridge queue in the destination account (output queue_url of the destination module). Any https endpoint whose path is /ACCOUNT_ID/QUEUE_NAME: the regional endpoint (https://sqs.REGION.amazonaws.com/ACCOUNT_ID/NAME), a FIPS or VPC endpoint, or, for an AWS API emulator, plain http."
  type        = string
  nullable    = false

  validation {
    # Host (and port) free-form; the path must name the account and the queue, as
    # every SQS endpoint does. No query, fragment or trailing slash.
    condition     = can(regex("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/[0-9]{12}/[A-Za-z0-9_-]{1,80}$", var.destination_queue_url))
    error_message = "destination_queue_url must be an https (or, for an emulator, http) URL whose path is /ACCOUNT_ID/QUEUE_NAME (12-digit account ID, queue name of 1-80 letters, digits, '-' or '_'), e.g. https://sqs.eu-west-1.amazonaws.com/111122223333/iot-bridge."
  }
}

variable "destination_queue_arn" {
  description = "ARN of the bridge queue in the destination account (output queue_arn of the destination module)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}$", var.destination_queue_arn))
    error_message = "destination_queue_arn must be an SQS queue ARN."
  }
}

variable "destination_kms_key_arn" {
  description = "ARN of the customer managed KMS key that encrypts the destination queue, if any (output kms_key_arn of the destination module). Null when the queue uses SQS-managed SSE."
  type        = string
  default     = null

  validation {
    condition     = var.destination_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.destination_kms_key_arn))
    error_message = "destination_kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID) or null."
  }
}

variable "rule_name_prefix" {
  description = "Prefix of the topic rule names; a rule is named <prefix>_<route name>. IoT rule names allow only letters, digits and underscores."
  type        = string
  default     = "iot_bridge"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_]{1,64}$", var.rule_name_prefix))
    error_message = "rule_name_prefix must match ^[A-Za-z0-9_]{1,64}$."
  }
}

variable "rule_role_name" {
  description = "Name of the IAM role the topic rules assume to send to the queue. The destination module must be given the same name (its queue policy admits this role), which is why it is predictable rather than generated."
  type        = string
  default     = "iot-bridge-rule"
  nullable    = false

  validation {
    # The error action's role is "<rule_role_name>-errors", and IAM role names end at 64.
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,57}$", var.rule_role_name))
    error_message = "rule_role_name must be 1-57 characters of A-Za-z0-9+=,.@_-: the error action role is named <rule_role_name>-errors, and IAM role names are at most 64 characters."
  }
}

variable "permissions_boundary" {
  description = "ARN of an IAM policy set as permissions boundary on every IAM role this module creates (the rule role and the error action role), e.g. when the deploy role may only create roles that carry it. Null sets none."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.permissions_boundary))
    error_message = "permissions_boundary must be an IAM policy ARN (arn:aws:iam::ACCOUNT_ID:policy/NAME, or arn:aws:iam::aws:policy/NAME for an AWS managed policy), or null."
  }
}

variable "rules_enabled" {
  description = "Whether the topic rules are enabled."
  type        = bool
  default     = true
  nullable    = false
}

variable "error_log_retention_days" {
  description = "Retention in days of the CloudWatch log group that receives the rules' error action output."
  type        = number
  default     = 365
  nullable    = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.error_log_retention_days)
    error_message = "error_log_retention_days must be one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}

variable "error_log_kms_key_arn" {
  description = "Optional KMS key ARN to encrypt the error log group (its key policy must allow the CloudWatch Logs service). Null uses CloudWatch Logs' default encryption."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
  nullable    = false
}
