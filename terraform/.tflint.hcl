# TFLint configuration for every directory under terraform/ (tflint --recursive).
# The AWS ruleset checks values against AWS's own limits (instance types, runtimes,
# name patterns...). `tflint --init` installs it from GitHub releases; where those
# are unreachable .ci/lint.sh builds it from the Go module cache, and where that
# fails too it lints with the terraform ruleset only and says so.

config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}

# Resources are named after what they are (this, main, route...): the snake_case
# rule stays on; documenting every output/variable is enforced by preset "all".
rule "terraform_standard_module_structure" {
  enabled = true
}

plugin "aws" {
  enabled = true
  version = "0.48.0"
  source  = "github.com/terraform-linters/tflint-ruleset-aws"
}
