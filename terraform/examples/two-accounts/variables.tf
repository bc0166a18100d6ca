variable "region" {
  description = "Region of both accounts in this example."
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
  description = "Function package built by `make native-build`."
  type        = string
  default     = "../../../function/target/native/function.zip"
}
