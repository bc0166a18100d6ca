# ---------------------------------------------------------------- accounts ---

variable "source_region" {
  description = "Region of the source account's IoT Core (where devices publish)."
  type        = string
  nullable    = false
}

variable "destination_region" {
  description = "Region of the destination account (queue, function, IoT Core the messages are republished to)."
  type        = string
  nullable    = false
}

variable "source_profile" {
  description = "Optional AWS CLI profile for the source account."
  type        = string
  default     = null
}

variable "destination_profile" {
  description = "Optional AWS CLI profile for the destination account."
  type        = string
  default     = null
}

variable "source_permissions_boundary" {
  description = "Optional IAM policy ARN set as permissions boundary on every role created in the source account (rule role, error action role): the boundary a deploy role may require on the roles it creates. Validated by the source module."
  type        = string
  default     = null
}

variable "destination_permissions_boundary" {
  description = "Optional IAM policy ARN set as permissions boundary on every role created in the destination account (the function's execution role). Validated by the destination module."
  type        = string
  default     = null
}

variable "source_assume_role_arn" {
  description = "Optional role to assume in the source account (e.g. a deployment role)."
  type        = string
  default     = null

  validation {
    condition     = var.source_assume_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.source_assume_role_arn))
    error_message = "source_assume_role_arn must be an IAM role ARN or null."
  }
}

variable "destination_assume_role_arn" {
  description = "Optional role to assume in the destination account."
  type        = string
  default     = null

  validation {
    condition     = var.destination_assume_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.destination_assume_role_arn))
    error_message = "destination_assume_role_arn must be an IAM role ARN or null."
  }
}

# ------------------------------------------------------------------ routes ---

variable "routes" {
  description = "Routes (docs/interfaces.md#routes): a list of { name, source_filter, condition = \"\", strip_prefix = \"\", add_prefix = \"\", qos = 1, retain = false }. Drives the source rules and the function's BRIDGE_ROUTES. Typed, defaulted and validated once, in modules/inputs, which both modules use."
  type        = any
  nullable    = false
}

# ------------------------------------------------------------------ naming ---

variable "name_prefix" {
  description = "Prefix of the destination resources (queue, DLQ, function, alarms)."
  type        = string
  default     = "iot-bridge"
  nullable    = false
}

variable "rule_name_prefix" {
  description = "Prefix of the topic rule names (<prefix>_<route>)."
  type        = string
  default     = "iot_bridge"
  nullable    = false
}

variable "rule_role_name" {
  description = "Name of the source rule role; the destination queue policy admits exactly this role of the source account."
  type        = string
  default     = "iot-bridge-rule"
  nullable    = false
}

# ---------------------------------------------------------------- function ---

variable "runtime" {
  description = "\"native\" (provided.al2023, bootstrap; make native-build) or \"jvm\" (java21 + SnapStart; make package)."
  type        = string
  default     = "native"
  nullable    = false
}

variable "architecture" {
  description = "Function architecture, x86_64 or arm64 (must match the build)."
  type        = string
  default     = "x86_64"
  nullable    = false
}

variable "function_zip_path" {
  description = "Function package. Null means where the build of `runtime` writes it, relative to this directory: ../function/target/native/function.zip (make native-build) for native, ../function/target/function.zip (make package) for jvm."
  type        = string
  default     = null
}

variable "memory_size" {
  description = "Function memory in MB; null picks 256 (native) or 1024 (jvm)."
  type        = number
  default     = null
}

variable "timeout" {
  description = "Function timeout in seconds; the queue's visibility timeout is derived from it (>= 6x)."
  type        = number
  default     = 30
  nullable    = false
}

variable "max_publish_concurrency" {
  description = "Most publishes in flight per batch (BRIDGE_MAX_CONCURRENCY). Above 10, a fresh execution environment starts at 10 and adds one per finished record up to this value."
  type        = number
  default     = 10
  nullable    = false
}

variable "batch_size" {
  description = "SQS records per invocation."
  type        = number
  default     = 10
  nullable    = false
}

variable "maximum_batching_window_in_seconds" {
  description = "Batching window of the event source mapping."
  type        = number
  default     = 1
  nullable    = false
}

variable "maximum_concurrency" {
  description = "Standard mode: most concurrent invocations by the event source mapping (2-1000), null for none. Must be null when provisioned_pollers is set."
  type        = number
  default     = 5
}

variable "provisioned_pollers" {
  description = "Provisioned mode of the event source mapping: { minimum = 2-200, maximum = 2-2000 } dedicated pollers (each up to 1 MB/s and 10 concurrent invocations; charged while provisioned), or null for standard mode. Needs maximum_concurrency = null. Validated by the destination module."
  type = object({
    minimum = number
    maximum = number
  })
  default = null
}

variable "reserved_concurrency" {
  description = "Reserved concurrency of the function (at least 1; at least maximum_concurrency when both are set), or null for unreserved. Validated by the destination module."
  type        = number
  default     = null
}

# ------------------------------------------------------------------- queue ---

variable "max_receive_count" {
  description = "Receives before a message is moved to the DLQ; the function quarantines a record on its last receive with its last error. With the destination module's default backoff (60 s doubling to 900 s), 60 receives ride out a 6-hour outage (checked at plan)."
  type        = number
  default     = 60
  nullable    = false
}

variable "create_kms_key" {
  description = "Encrypt the queues with a customer managed KMS key (default: SQS-managed SSE)."
  type        = bool
  default     = false
  nullable    = false
}

# ------------------------------------------------------------ operations ---

variable "alarm_sns_topic_arn" {
  description = "Optional SNS topic (destination account) for the alarms."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "Retention of the function log group and the rule error log group."
  type        = number
  default     = 365
  nullable    = false
}

variable "tags" {
  description = "Tags for every resource in both accounts (provider default_tags)."
  type        = map(string)
  default     = { Project = "iot-cross-account-bridge" }
  nullable    = false
}

variable "canary" {
  description = "Add the canary route of canary-route.json (the exact topic iot-bridge/canary/doctor, same topic, QoS 1, retained) so that `make doctor` can send one message through the deployment, read it back with GetRetainedMessage and clear it. The function role then may publish (and retain) on that one topic. Each doctor run costs one message through the bridge, a retained publish and its clearing, and up to one GetRetainedMessage call per second until it arrives."
  type        = bool
  default     = false
  nullable    = false
}

variable "record_log" {
  description = "Which records get a JSON log line (BRIDGE_RECORD_LOG): \"failures\" (only records retried or quarantined; the default) or \"all\" (an audit line per record too, about 310 bytes of CloudWatch Logs ingestion each, more than the function's Lambda duration charge at volume). The EMF metrics count every outcome either way."
  type        = string
  default     = "failures"
  nullable    = false
  # Validated by the destination module, which takes it as is.
}
