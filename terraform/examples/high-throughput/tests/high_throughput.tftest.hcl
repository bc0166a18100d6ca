# The high-throughput example with mocked AWS providers (no credentials, no network): the capacity
# plan's values pass the destination module's checks and reach the function and its event source mapping.
# Run: cd terraform/examples/high-throughput && terraform init -backend=false && terraform test

# Mocks give random strings: only what the modules validate or parse gets a realistic value.
mock_provider "aws" {
  alias = "source"

  mock_data "aws_caller_identity" {
    defaults = { account_id = "111111111111" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::111111111111:role/iot-bridge-rule" }
  }
}

mock_provider "aws" {
  alias = "destination"

  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::222222222222:role/iot-bridge-publisher" }
  }
}

override_resource {
  target = module.destination.aws_sqs_queue.main
  values = {
    arn = "arn:aws:sqs:eu-west-1:222222222222:iot-bridge"
    url = "https://sqs.eu-west-1.amazonaws.com/222222222222/iot-bridge"
  }
}

variables {
  function_zip_path = "../../tests/fixtures/function.zip"
}

run "example_applies_with_the_plan_values" {
  command = apply

  assert {
    condition     = output.queue_url != "" && output.function_name == "iot-bridge-publisher"
    error_message = "The example must create the queue and the publisher function."
  }

  assert {
    condition     = keys(output.rule_names) == ["fleet"]
    error_message = "The source account must get the fleet route's rule."
  }
}

# The same values given to the destination module alone, to see them on its resources (a test
# cannot read resources inside the example's modules).
run "plan_values_reach_the_function_and_the_mapping" {
  command = apply

  module {
    source = "../../modules/destination"
  }

  providers = {
    aws = aws.destination
  }

  variables {
    routes                             = [{ name = "fleet", source_filter = "FLEET/+/telemetry", qos = 0, retain = false }]
    sources                            = [{ account_id = "111111111111" }]
    memory_size                        = run.example_applies_with_the_plan_values.capacity_inputs.memory_size
    batch_size                         = run.example_applies_with_the_plan_values.capacity_inputs.batch_size
    maximum_batching_window_in_seconds = run.example_applies_with_the_plan_values.capacity_inputs.maximum_batching_window_in_seconds
    max_publish_concurrency            = run.example_applies_with_the_plan_values.capacity_inputs.max_publish_concurrency
    record_log                         = run.example_applies_with_the_plan_values.capacity_inputs.record_log
    reserved_concurrency               = run.example_applies_with_the_plan_values.capacity_inputs.reserved_concurrency
    maximum_concurrency                = run.example_applies_with_the_plan_values.capacity_inputs.maximum_concurrency
    provisioned_pollers                = run.example_applies_with_the_plan_values.capacity_inputs.provisioned_pollers
  }

  assert {
    condition = (
      length(aws_lambda_event_source_mapping.queue.provisioned_poller_config) == 1 &&
      aws_lambda_event_source_mapping.queue.provisioned_poller_config[0].minimum_pollers == 100 &&
      aws_lambda_event_source_mapping.queue.provisioned_poller_config[0].maximum_pollers == 200 &&
      length(aws_lambda_event_source_mapping.queue.scaling_config) == 0
    )
    error_message = "The mapping must run in provisioned mode with 100 to 200 pollers and no maximum concurrency."
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.queue.batch_size == 10 &&
      aws_lambda_event_source_mapping.queue.maximum_batching_window_in_seconds == 0
    )
    error_message = "The mapping must hand over batches of 10 without waiting."
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 53 && aws_lambda_function.this.memory_size == 512
    error_message = "The function must have 512 MB and 53 instances reserved."
  }

  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables.BRIDGE_MAX_CONCURRENCY == "10" &&
      aws_lambda_function.this.environment[0].variables.BRIDGE_RECORD_LOG == "failures"
    )
    error_message = "The function must publish 10 records at a time and log failures only."
  }

  assert {
    condition     = aws_sqs_queue.main.visibility_timeout_seconds == 6 * 30
    error_message = "Without a batching window the visibility timeout is 6 x the function timeout."
  }
}
