variable "region" {
  description = "Region of all three accounts in this example."
  type        = string
  default     = "eu-west-1"
}

variable "plant_a_profile" {
  description = "AWS CLI profile of the first source account."
  type        = string
  default     = "plant-a"
}

variable "plant_b_profile" {
  description = "AWS CLI profile of the second source account."
  type        = string
  default     = "plant-b"
}

variable "destination_profile" {
  description = "AWS CLI profile of the destination account."
  type        = string
  default     = "iot-destination"
}

variable "function_zip_path" {
  description = "Function package built by `make native-build`."
  type        = string
  default     = "../../../function/target/native/function.zip"
}

variable "alarm_sns_topic_arn" {
  description = "Optional SNS topic in the destination account for the alarms."
  type        = string
  default     = null
}
