variable "region" {
  description = "Region of both accounts in this example (the IoT Core quotas the plan checks are per Region)."
  type        = string
  default     = "eu-west-1"
}

variable "source_profile" {
  description = "AWS CLI profile of the source account."
  type        = string
  default     = "iot-source"
}

variable "destination_profile" {
  description = "AWS CLI profile of the destination account."
  type        = string
  default     = "iot-destination"
}

variable "function_zip_path" {
  description = "Native function package (make native-build, or make fetch-release KIND=native): the plan's per-instance throughput is the native build's."
  type        = string
  default     = "../../../function/target/native/function.zip"
}

variable "alarm_sns_topic_arn" {
  description = "Optional SNS topic in the destination account for the alarms (throttles, oldest message age, DLQ)."
  type        = string
  default     = null
}
