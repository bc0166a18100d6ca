# Destination module: a function zip is deployed only as what it was built for. The build
# manifest next to the zip (ZIP.json, written by .ci/function-manifest.sh from the zip's
# contents) must be for this very zip (its sha256), name var.runtime as its kind and list
# var.architecture.
# Fixtures: tests/fixtures/<case>/function.zip (contents irrelevant to a plan) + function.zip.json.
# Run: cd terraform/modules/destination && terraform init -backend=false && terraform test

mock_provider "aws" {
  source = "../../tests/mocks/aws"

  mock_data "aws_caller_identity" {
    defaults = { account_id = "222222222222" }
  }
}

variables {
  sources = [{ account_id = "111111111111" }]
  routes  = [{ name = "ground", source_filter = "GROUND/v1/#" }]
}

run "native_arm64_zip_deploys_on_arm64" {
  command = plan

  variables {
    function_zip_path = "tests/fixtures/native-arm64/function.zip"
    runtime           = "native"
    architecture      = "arm64"
  }

  assert {
    condition     = aws_lambda_function.this.architectures == tolist(["arm64"]) && aws_lambda_function.this.runtime == "provided.al2023"
    error_message = "A native arm64 build must deploy as provided.al2023 on arm64."
  }
}

run "native_arm64_zip_is_refused_on_x86_64" {
  command = plan

  variables {
    function_zip_path = "tests/fixtures/native-arm64/function.zip"
    runtime           = "native"
    architecture      = "x86_64"
  }

  expect_failures = [aws_lambda_function.this]
}

run "native_zip_is_refused_as_jvm" {
  command = plan

  variables {
    function_zip_path = "tests/fixtures/native-arm64/function.zip"
    runtime           = "jvm"
    architecture      = "arm64"
  }

  expect_failures = [aws_lambda_function.this]
}

run "jvm_zip_deploys_on_either_architecture" {
  command = plan

  variables {
    function_zip_path = "tests/fixtures/jvm/function.zip"
    runtime           = "jvm"
    architecture      = "x86_64"
  }

  assert {
    condition     = aws_lambda_function.this.runtime == "java21"
    error_message = "A jvm build must deploy as java21."
  }
}

run "jvm_zip_is_refused_as_native" {
  command = plan

  variables {
    function_zip_path = "tests/fixtures/jvm/function.zip"
    runtime           = "native"
    architecture      = "x86_64"
  }

  expect_failures = [aws_lambda_function.this]
}

run "manifest_of_another_zip_is_refused" {
  command = plan

  variables {
    function_zip_path = "tests/fixtures/stale/function.zip"
    runtime           = "native"
    architecture      = "x86_64"
  }

  expect_failures = [aws_lambda_function.this]
}
