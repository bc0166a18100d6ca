variable "routes" {
  description = "Routes to bridge (docs/interfaces.md#routes): a list of { name, source_filter, condition = \"\", strip_prefix = \"\", add_prefix = \"\", qos = 1, retain = false }. One topic rule is created per route; the same list must be given to the destination module. Typed, defaulted and validated once, in modules/inputs, for both modules."
  type        = any
  nullable    = false
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
  description = "Prefix of the topic rule names; a rule is named <prefix>_<route name>. IoT rule names allow only letters, digits and underscores (1-64 of them, validated by modules/names)."
  type        = string
  default     = "iot_bridge"
  nullable    = false
}

variable "rule_role_name" {
  description = "Name of the IAM role the topic rules assume to send to the queue. The destination module must be given the same name (its queue policy admits this role), which is why it is predictable rather than generated. 1-57 characters (the error action role is <name>-errors), validated by modules/names."
  type        = string
  default     = "iot-bridge-rule"
  nullable    = false
}

variable "permissions_boundary" {
  description = "ARN of an IAM policy set as permissions boundary on every IAM role this module creates (the rule role and the error action role), e.g. when the deploy role may only create roles that carry it. Null sets none. Validated by modules/inputs."
  type        = string
  default     = null
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
