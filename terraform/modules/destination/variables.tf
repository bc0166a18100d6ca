variable "routes" {
  description = "Routes to bridge (docs/interfaces.md#routes): a list of { name, source_filter, condition = \"\", strip_prefix = \"\", add_prefix = \"\", qos = 1, retain = false }. The function publishes only where a route allows (BRIDGE_ROUTES); the same list must be given to the source module(s). Typed, defaulted and validated once, in modules/inputs, for both modules."
  type        = any
  nullable    = false
}

variable "sources" {
  description = "Source accounts whose topic rules may send to the queue (fan-in: several). Each entry admits exactly the role arn:PARTITION:iam::<account_id>:role/<rule_role_name>; the role need not exist yet (either account can be applied first)."
  type = list(object({
    account_id     = string
    rule_role_name = optional(string, "iot-bridge-rule")
  }))
  nullable = false

  validation {
    condition     = length(var.sources) > 0
    error_message = "At least one source is required."
  }
  validation {
    condition     = alltrue([for s in var.sources : can(regex("^[0-9]{12}$", s.account_id))])
    error_message = "Each source account_id must be a 12-digit AWS account ID."
  }
  validation {
    condition     = alltrue([for s in var.sources : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", s.rule_role_name))])
    error_message = "Each rule_role_name must be a valid IAM role name."
  }
  validation {
    condition     = length(distinct([for s in var.sources : "${s.account_id}/${s.rule_role_name}"])) == length(var.sources)
    error_message = "Sources must be unique (account_id + rule_role_name)."
  }
}

variable "permissions_boundary" {
  description = "ARN of an IAM policy set as permissions boundary on every IAM role this module creates (the function's execution role), e.g. when the deploy role may only create roles that carry it. Null sets none. Validated by modules/inputs."
  type        = string
  default     = null
}

variable "name_prefix" {
  description = "Prefix of every resource name (queue <prefix>, DLQ <prefix>-dlq, function <prefix>-publisher, ...): 1-40 characters of A-Za-z0-9_-, validated by modules/names."
  type        = string
  default     = "iot-bridge"
  nullable    = false
}

# ---------------------------------------------------------------- function ---

variable "runtime" {
  description = "Function build: \"native\" (GraalVM/Mandrel native bootstrap zip, runtime provided.al2023, handler bootstrap) or \"jvm\" (runtime java21 with SnapStart, Quarkus stream handler)."
  type        = string
  default     = "native"
  nullable    = false

  validation {
    condition     = contains(["native", "jvm"], var.runtime)
    error_message = "runtime must be \"native\" or \"jvm\"."
  }
}

variable "architecture" {
  description = "Instruction set of the function; must match the build of the zip (a native build is CPU-specific)."
  type        = string
  default     = "x86_64"
  nullable    = false

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be \"x86_64\" or \"arm64\"."
  }
}

variable "function_zip_path" {
  description = "Path of the function deployment package (function/target/function.zip from `make package` or `make native-build`, or a release zip from `make fetch-release`). When the build manifest <path>.json is next to it, a zip built for another runtime or architecture is refused at plan."
  type        = string
  nullable    = false
}

variable "memory_size" {
  description = "Function memory in MB. Null picks 256 for native and 1024 for jvm."
  type        = number
  default     = null

  validation {
    condition     = var.memory_size == null || (try(var.memory_size >= 128 && var.memory_size <= 10240, false))
    error_message = "memory_size must be between 128 and 10240 MB."
  }
}

variable "timeout" {
  description = "Function timeout in seconds (one batch)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be between 1 and 900 seconds."
  }
}

variable "max_publish_concurrency" {
  description = "Most publishes in flight per batch (BRIDGE_MAX_CONCURRENCY). Above 10, a fresh execution environment starts at 10 and adds one per finished record up to this value."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.max_publish_concurrency >= 1 && var.max_publish_concurrency <= 100
    error_message = "max_publish_concurrency must be between 1 and 100."
  }
}

variable "record_log" {
  description = "Which records get a JSON log line (BRIDGE_RECORD_LOG): \"failures\" (only records retried or quarantined; the default) or \"all\" (an audit line per record too, about 310 bytes of CloudWatch Logs ingestion each, more than the function's Lambda duration charge at volume). The EMF metrics count every outcome either way."
  type        = string
  default     = "failures"
  nullable    = false

  validation {
    condition     = contains(["all", "failures"], var.record_log)
    error_message = "record_log must be \"all\" or \"failures\"."
  }
}

variable "publish_timeout" {
  description = "Per-publish attempt timeout (BRIDGE_PUBLISH_TIMEOUT), e.g. \"3s\" or ISO-8601 \"PT3S\"."
  type        = string
  default     = "3s"
  nullable    = false

  validation {
    condition     = can(regex("^([0-9]+(ms|s)|PT[0-9.]+S)$", var.publish_timeout))
    error_message = "publish_timeout must look like 3s, 500ms or PT3S."
  }
}

variable "tracing_mode" {
  description = "Lambda X-Ray tracing mode. \"Active\" also grants xray:PutTraceSegments/PutTelemetryRecords (X-Ray supports no resource-level permissions)."
  type        = string
  default     = "PassThrough"
  nullable    = false

  validation {
    condition     = contains(["PassThrough", "Active"], var.tracing_mode)
    error_message = "tracing_mode must be \"PassThrough\" or \"Active\"."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrency of the function (reserved_concurrent_executions): the most instances it may run, and that many taken out of the account's unreserved pool (1,000 per Region by default, AWS keeps 100 unreserved). Null leaves it unreserved. In standard mode at least maximum_concurrency (checked at plan); in provisioned mode each poller invokes up to 10 instances, so a reservation below 10 x provisioned_pollers.maximum throttles the mapping at peak."
  type        = number
  default     = null

  validation {
    # 0 would throttle every invocation: records would be received and returned until they
    # reached the DLQ. The account quota is checked by Lambda, not knowable at plan.
    condition     = var.reserved_concurrency == null || try(var.reserved_concurrency >= 1 && floor(var.reserved_concurrency) == var.reserved_concurrency, false)
    error_message = "reserved_concurrency must be a whole number of at least 1 (0 would throttle every invocation and send records to the DLQ), or null for unreserved."
  }
}

# ------------------------------------------------------ event source mapping ---

variable "batch_size" {
  description = "Most records per invocation (AWS: 1-10 without a batching window, up to 10,000 for a standard queue with maximum_batching_window_in_seconds >= 1, and never more than the 6 MB synchronous invocation payload). Larger batches mean fewer invocations and more records per instance-second (throughput, cost) but a longer invocation and more records retried together when it times out; the function publishes up to max_publish_concurrency of a batch at once, so a batch far above it mostly waits. docs/benchmarks.md has the per-instance rate measured at batch 10 and 100."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000 && floor(var.batch_size) == var.batch_size
    error_message = "batch_size must be a whole number between 1 and 10000 (above 10 also needs maximum_batching_window_in_seconds >= 1)."
  }
}

variable "maximum_batching_window_in_seconds" {
  description = "Longest time the event source mapping gathers records before invoking (AWS: 0-300 s, whole seconds). The mapping invokes as soon as batch_size records or 6 MB are gathered, so under load the window costs nothing; at low traffic it adds up to this many seconds of latency per message in exchange for fuller batches (fewer invocations). 0 gives the lowest latency and allows batch_size <= 10 only. The queue's visibility timeout grows with it."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.maximum_batching_window_in_seconds >= 0 && var.maximum_batching_window_in_seconds <= 300 && floor(var.maximum_batching_window_in_seconds) == var.maximum_batching_window_in_seconds
    error_message = "maximum_batching_window_in_seconds must be a whole number between 0 and 300."
  }
}

variable "maximum_concurrency" {
  description = "Standard mode: most concurrent function instances the SQS event source mapping invokes (AWS: 2-1000); null for no limit (standard mode then scales by up to 300 instances a minute, to at most 1,250). Must be null when provisioned_pollers is set: AWS does not combine the two."
  type        = number
  default     = 5

  validation {
    condition     = var.maximum_concurrency == null || try(var.maximum_concurrency >= 2 && var.maximum_concurrency <= 1000 && floor(var.maximum_concurrency) == var.maximum_concurrency, false)
    error_message = "maximum_concurrency must be a whole number between 2 and 1000, or null."
  }
}

variable "provisioned_pollers" {
  description = "Provisioned mode of the SQS event source mapping (provisioned_poller_config): dedicated event pollers between minimum (AWS: 2-200) and maximum (2-2000 in the Lambda developer guide and hashicorp/aws 5.100.0); each poller handles up to 1 MB/s and 10 concurrent invocations, and scaling adds up to 1,000 concurrent invocations a minute. Pollers are charged while provisioned (the minimum always). Null keeps standard mode. Needs maximum_concurrency = null (AWS does not combine them)."
  type = object({
    minimum = number
    maximum = number
  })
  default = null

  validation {
    condition = var.provisioned_pollers == null || try(
      var.provisioned_pollers.minimum >= 2 && var.provisioned_pollers.minimum <= 200 && floor(var.provisioned_pollers.minimum) == var.provisioned_pollers.minimum &&
      var.provisioned_pollers.maximum >= 2 && var.provisioned_pollers.maximum <= 2000 && floor(var.provisioned_pollers.maximum) == var.provisioned_pollers.maximum &&
      var.provisioned_pollers.minimum <= var.provisioned_pollers.maximum,
      false
    )
    error_message = "provisioned_pollers needs whole numbers minimum 2-200 and maximum 2-2000 with minimum <= maximum (AWS limits for SQS), e.g. { minimum = 2, maximum = 20 }; or null for standard mode."
  }
}

# -------------------------------------------------------------------- queue ---

variable "visibility_timeout_seconds" {
  description = "Visibility timeout of the queue. Null computes 6 x timeout + maximum_batching_window_in_seconds (AWS guidance); a set value must be at least that."
  type        = number
  default     = null
}

variable "max_receive_count" {
  description = "Receives before the redrive policy moves a message to the DLQ (maxReceiveCount); also BRIDGE_MAX_RECEIVE_COUNT: the function quarantines a record on its last allowed receive with its last error. Sized with the retry_backoff_* variables so that outage_tolerance_seconds of outage never reaches it (checked at plan)."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "max_receive_count must be between 1 and 1000."
  }
}

variable "message_retention_seconds" {
  description = "Retention of the bridge queue (60 s - 14 days)."
  type        = number
  default     = 345600
  nullable    = false

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600
    error_message = "message_retention_seconds must be between 60 and 1209600."
  }
}

variable "dlq_message_retention_seconds" {
  description = "Retention of the dead-letter queue (60 s - 14 days); at least message_retention_seconds (checked at plan), since a message keeps its enqueue time when moved to the DLQ."
  type        = number
  default     = 1209600
  nullable    = false

  validation {
    condition     = var.dlq_message_retention_seconds >= 60 && var.dlq_message_retention_seconds <= 1209600
    error_message = "dlq_message_retention_seconds must be between 60 and 1209600."
  }
}

variable "create_kms_key" {
  description = "Encrypt both queues with a customer managed KMS key created here (key policy admits the source rule roles through SQS only). False uses SQS-managed SSE."
  type        = bool
  default     = false
  nullable    = false
}

variable "kms_key_deletion_window_in_days" {
  description = "Deletion window of the customer managed key (7-30 days)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.kms_key_deletion_window_in_days >= 7 && var.kms_key_deletion_window_in_days <= 30
    error_message = "kms_key_deletion_window_in_days must be between 7 and 30."
  }
}

# ----------------------------------------------------------- observability ---

variable "log_retention_days" {
  description = "Retention in days of the function's log group."
  type        = number
  default     = 365
  nullable    = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts."
  }
}

variable "log_kms_key_arn" {
  description = "Optional KMS key ARN for the function's log group (its key policy must allow CloudWatch Logs). Null uses the default encryption."
  type        = string
  default     = null
}

variable "alarm_sns_topic_arn" {
  description = "Optional SNS topic ARN notified when an alarm changes to ALARM or back to OK."
  type        = string
  default     = null
}

variable "oldest_message_age_threshold_seconds" {
  description = "Alarm when the oldest message in the bridge queue is at least this old."
  type        = number
  default     = 300
  nullable    = false

  validation {
    condition     = var.oldest_message_age_threshold_seconds >= 60
    error_message = "oldest_message_age_threshold_seconds must be at least 60."
  }
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
  nullable    = false
}

# ------------------------------------------------------------------ retries ---

variable "retry_backoff_base_seconds" {
  description = "Delay before a record that failed transiently (throttling, 5xx, timeout, 403) is received again, after its first receive (BRIDGE_BACKOFF_BASE). Doubles per receive up to retry_backoff_cap_seconds; each delay is drawn between half and all of its step (jitter)."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = var.retry_backoff_base_seconds >= 1 && var.retry_backoff_base_seconds <= 43200 && floor(var.retry_backoff_base_seconds) == var.retry_backoff_base_seconds
    error_message = "retry_backoff_base_seconds must be a whole number of seconds from 1 to 43200."
  }
}

variable "retry_backoff_cap_seconds" {
  description = "Longest retry delay (BRIDGE_BACKOFF_CAP): after a destination outage, delivery resumes within one such step."
  type        = number
  default     = 900
  nullable    = false

  validation {
    condition     = var.retry_backoff_cap_seconds >= 1 && var.retry_backoff_cap_seconds <= 43200 && floor(var.retry_backoff_cap_seconds) == var.retry_backoff_cap_seconds
    error_message = "retry_backoff_cap_seconds must be a whole number of seconds from 1 to 43200."
  }
}

variable "outage_tolerance_seconds" {
  description = "Destination outage the bridge must ride out with nothing moved to the DLQ and nothing expired (at least 6 hours). Plan fails unless max_receive_count receives at the shortest backoff delays span it and message_retention_seconds outlasts it."
  type        = number
  default     = 21600
  nullable    = false

  validation {
    condition     = var.outage_tolerance_seconds >= 21600
    error_message = "outage_tolerance_seconds must be at least 21600 (6 hours)."
  }
}
