# iot-cross-account-bridge — every entry point. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT        := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
# A JDK >= 21 builds the function (its bytecode targets the java21 Lambda runtime).
# Picked from JAVA_HOME, else the newest JDK in /usr/lib/jvm; see .ci/find-jdk.
JDK         := $(shell $(ROOT)/.ci/find-jdk 2>/dev/null)
MVN         := JAVA_HOME=$(JDK) $(ROOT)/mvnw -B -q -Dstyle.color=never
MVN_LOUD    := JAVA_HOME=$(JDK) $(ROOT)/mvnw -B -Dstyle.color=never
FUNCTION_ZIP := $(ROOT)/function/target/function.zip
LOCAL_CP    := $(ROOT)/local/target/classpath.txt
TF_DIR      := $(ROOT)/terraform
TF          ?= terraform

.PHONY: help
help: ## List every target
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: check-java
check-java: ## Check that a JDK >= 21 is available
	@if [ -z "$(JDK)" ]; then \
	  echo "error: no JDK 21 or newer found (JAVA_HOME=$${JAVA_HOME:-unset}, /usr/lib/jvm)." >&2; \
	  echo "  install one, e.g. 'sudo apt-get install openjdk-21-jdk' or https://adoptium.net, then set JAVA_HOME." >&2; \
	  exit 1; fi
	@command -v unzip >/dev/null || { echo "error: 'unzip' is missing (the Maven wrapper needs it): sudo apt-get install unzip" >&2; exit 1; }

.PHONY: test
test: check-java ## Run all tests: function unit + Quarkus tests, local stack end-to-end tests
	$(MVN_LOUD) verify

.PHONY: package
package: check-java ## Build the JVM function.zip (java21 runtime) into function/target/
	$(MVN) -pl function package -DskipTests
	@ls -l $(FUNCTION_ZIP)

.PHONY: native-build
native-build: check-java ## Build the native function.zip (bootstrap, provided.al2023): local GraalVM/Mandrel, else container build
	@if command -v native-image >/dev/null 2>&1; then \
	  echo "native-build: using local native-image ($$(command -v native-image))"; \
	  $(MVN_LOUD) -pl function package -DskipTests -Dnative; \
	elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then \
	  echo "native-build: no local GraalVM; building inside a Mandrel container with docker"; \
	  $(MVN_LOUD) -pl function package -DskipTests -Dnative -Dquarkus.native.container-build=true; \
	elif command -v podman >/dev/null 2>&1; then \
	  echo "native-build: no local GraalVM; building inside a Mandrel container with podman"; \
	  $(MVN_LOUD) -pl function package -DskipTests -Dnative -Dquarkus.native.container-build=true -Dquarkus.native.container-runtime=podman; \
	else \
	  echo "error: a native build needs GraalVM/Mandrel ('native-image' on PATH, e.g. sdk install java 21-graalce)" >&2; \
	  echo "  or a running container engine (docker or podman) for Quarkus' container build." >&2; \
	  exit 1; fi
	@unzip -l $(FUNCTION_ZIP) | grep -q ' bootstrap$$' && echo "native function.zip: $(FUNCTION_ZIP)"

$(FUNCTION_ZIP):
	$(MAKE) package

# The local stack's runtime classpath, written once by Maven and reused by up/demo.
$(LOCAL_CP): $(ROOT)/local/pom.xml $(shell find $(ROOT)/local/src/main -type f 2>/dev/null)
	$(MVN) -pl local install -DskipTests
	$(MVN) -pl local dependency:build-classpath -Dmdep.outputFile=$(LOCAL_CP) -Dmdep.includeScope=runtime

LOCAL_JAVA = $(JDK)/bin/java -cp "$(ROOT)/local/target/classes:$$(cat $(LOCAL_CP))"

.PHONY: up
up: check-java $(FUNCTION_ZIP) $(LOCAL_CP) ## Run the local two-account stack in the foreground (Ctrl-C stops it)
	@mkdir -p $(ROOT)/local/run
	@$(LOCAL_JAVA) dev.iotbridge.local.LocalStackMain --config $(ROOT)/local/bridge.local.json --function $(FUNCTION_ZIP) --pid-file $(ROOT)/local/run/stack.pid

.PHONY: down
down: ## Stop a local stack started with `make up` in another terminal
	@if [ -f $(ROOT)/local/run/stack.pid ] && kill -0 "$$(cat $(ROOT)/local/run/stack.pid)" 2>/dev/null; then \
	  kill "$$(cat $(ROOT)/local/run/stack.pid)" && echo "local stack stopped"; \
	else echo "no local stack running"; fi
	@rm -f $(ROOT)/local/run/stack.pid

.PHONY: demo
demo: check-java $(FUNCTION_ZIP) $(LOCAL_CP) ## Start the local stack, send sample messages across both accounts, show them arrive, stop
	@$(LOCAL_JAVA) dev.iotbridge.local.DemoMain --config $(ROOT)/local/bridge.local.json --function $(FUNCTION_ZIP)

.PHONY: bench
bench: check-java ## Benchmarks side by side with the Python handlers (prints tables, writes docs/benchmarks.md, docs/cost.md)
	bash $(ROOT)/bench/run.sh

.PHONY: chaos
chaos: check-java ## Fault-injection suite on the local stack, lost must be 0 (ARGS="--quick" for a short run)
	bash $(ROOT)/.ci/chaos.sh

.PHONY: lint
lint: ## Terraform format check, tflint, checkov, policy checks, actionlint (installs missing tools)
	bash $(ROOT)/.ci/lint.sh

.PHONY: check-terraform
check-terraform:
	@command -v $(TF) >/dev/null || { echo "error: terraform is not installed: https://developer.hashicorp.com/terraform/install (>= 1.10 for the S3 lockfile backend)" >&2; exit 1; }

.PHONY: plan
plan: check-terraform ## terraform init + plan in terraform/ (needs AWS credentials for both accounts)
	cd $(TF_DIR) && $(TF) init -input=false && $(TF) plan -input=false -out=tfplan

.PHONY: apply
apply: check-terraform ## terraform apply of the last plan (or a fresh one) in terraform/
	cd $(TF_DIR) && if [ -f tfplan ]; then $(TF) apply -input=false tfplan && rm -f tfplan; else $(TF) apply -input=false; fi

.PHONY: destroy
destroy: check-terraform ## terraform destroy in terraform/
	cd $(TF_DIR) && $(TF) destroy -input=false

.PHONY: clean
clean: ## Remove build outputs and local stack state
	$(MVN) clean
	rm -rf $(ROOT)/local/run
