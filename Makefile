# iot-cross-account-bridge — every entry point. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT        := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
# A JDK >= 21 builds the function (its bytecode targets the java21 Lambda runtime).
# Picked from JAVA_HOME, else the newest JDK in /usr/lib/jvm; see .ci/find-jdk.
JDK         := $(shell $(ROOT)/.ci/find-jdk 2>/dev/null)
# Maven is quiet once the build's dependencies are in ~/.m2. Until then (the first build downloads
# about 320 MB, minutes) it prints each download, so that a long step shows progress.
QUARKUS_VERSION := $(shell sed -n 's:.*<quarkus.platform.version>\(.*\)</quarkus.platform.version>.*:\1:p' $(ROOT)/pom.xml)
M2_CACHED   := $(and $(wildcard $(HOME)/.m2/repository/io/quarkus/quarkus-maven-plugin/$(QUARKUS_VERSION)),$(wildcard $(HOME)/.m2/repository/com/hivemq/hivemq-community-edition-embedded))
MVN         := JAVA_HOME=$(JDK) $(ROOT)/mvnw -B $(if $(M2_CACHED),-q) -Dstyle.color=never
FIRST_BUILD_NOTE := $(if $(M2_CACHED),,@echo "first build: Maven downloads the build's dependencies into ~/.m2 (about 320 MB, a few minutes); its download lines follow" >&2)
MVN_LOUD    := JAVA_HOME=$(JDK) $(ROOT)/mvnw -B -Dstyle.color=never
# The function artifact the local stack runs (make up / demo / test / test-local): the JVM zip
# built here by default; FUNCTION_ZIP=path runs another one, e.g. a native zip from
# `make native-build` or `make fetch-release` (a zip with `bootstrap` runs as provided.al2023).
BUILT_ZIP   := $(ROOT)/function/target/function.zip
FUNCTION_ZIP ?= $(BUILT_ZIP)
override FUNCTION_ZIP := $(abspath $(FUNCTION_ZIP))
LOCAL_CP    := $(ROOT)/local/target/classpath.txt
TF_DIR      := $(ROOT)/terraform
TF          ?= terraform
# The operations tool (ops/README.md): `iot-bridge doctor`, `iot-bridge redrive`.
OPS         := $(ROOT)/ops/iot-bridge

.PHONY: help
help: ## List every target
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[1m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: check-java
check-java: ## Check that a JDK >= 21 is available
	@if [ -z "$(JDK)" ]; then \
	  echo "error: no JDK 21 or newer found (JAVA_HOME=$${JAVA_HOME:-unset}, /usr/lib/jvm)." >&2; \
	  echo "  install one, e.g. 'sudo apt-get install openjdk-21-jdk' or https://adoptium.net, then set JAVA_HOME." >&2; \
	  exit 1; fi
	@command -v unzip >/dev/null || { echo "error: 'unzip' is missing (the Maven wrapper needs it): sudo apt-get install unzip" >&2; exit 1; }

.PHONY: test
test: check-java ## Run all tests: function unit + Quarkus tests, local stack end-to-end tests, the harness's (chaos smoke test), the ops tool's tests
	$(MVN_LOUD) verify -Dlocal.function.zip=$(FUNCTION_ZIP)
	$(MAKE) --no-print-directory ops-test
	$(MAKE) --no-print-directory capacity-test

.PHONY: test-local
test-local: check-java $(FUNCTION_ZIP) ## Only the local stack's end-to-end tests and the harness's (chaos smoke test), against FUNCTION_ZIP (e.g. a native zip)
	$(MVN_LOUD) -pl local,harness -am verify -Dlocal.function.zip=$(FUNCTION_ZIP)

# DEV_ARGS: more quarkus:dev flags, e.g. DEV_ARGS=-Dquarkus.lambda.mock-event-server.dev-port=8090.
.PHONY: dev
dev: check-java ## The function in Quarkus dev mode: live reload, Lambda mock event server on :8080 (function/README.md#dev-loop)
	$(FIRST_BUILD_NOTE)
	JAVA_HOME=$(JDK) $(ROOT)/mvnw -Dstyle.color=never -pl function quarkus:dev $(DEV_ARGS)

.PHONY: dev-test
dev-test: check-java ## Test the dev loop: make dev in a copy of the work tree answers the sample SQS event, reloads a changed application.properties
	bash $(ROOT)/.ci/dev-loop-test.sh

.PHONY: package
package: check-java ## Build the JVM function.zip (java21 runtime) into function/target/
	$(FIRST_BUILD_NOTE)
	$(MVN) -pl function -am package -DskipTests
	@bash $(ROOT)/.ci/function-manifest.sh $(BUILT_ZIP)

# The native zip: bootstrap (provided.al2023) and, from a toolchain that links the JDK's libraries
# dynamically, those libraries in lib/. Kept apart from the JVM zip so both can be run side by side
# (make bench takes the native competitor from here when it exists).
NATIVE_ZIP  := $(ROOT)/function/target/native/function.zip
# Which native-image: NATIVE_IMAGE_HOME/bin (e.g. the development stand-in), else GRAALVM_HOME/bin,
# else the first on PATH; with none, Quarkus' container build inside the builder Quarkus 3.33 uses
# by default (quay.io/quarkus/ubi9-quarkus-mandrel-builder-image:jdk-25, pinned in
# function/src/main/resources/application.properties): UBI 9 links against glibc 2.34, the glibc of
# Amazon Linux 2023. NATIVE_BUILDER=auto (local native-image if found, else a container), local or container.
NATIVE_BUILDER ?= auto

.PHONY: native-build
native-build: check-java ## Build the native zip (bootstrap, provided.al2023) into function/target/native/: NATIVE_IMAGE_HOME / GRAALVM_HOME / PATH native-image, else container build
	@builder="$(NATIVE_BUILDER)"; \
	case "$$builder" in auto|local|container) ;; *) echo "error: NATIVE_BUILDER must be auto, local or container, not '$$builder'" >&2; exit 2 ;; esac; \
	ni=""; \
	if [ -n "$${NATIVE_IMAGE_HOME:-}" ]; then \
	  ni="$$NATIVE_IMAGE_HOME/bin/native-image"; \
	  [ -x "$$ni" ] || { echo "error: NATIVE_IMAGE_HOME=$$NATIVE_IMAGE_HOME has no bin/native-image" >&2; exit 1; }; \
	elif [ -n "$${GRAALVM_HOME:-}" ] && [ -x "$$GRAALVM_HOME/bin/native-image" ]; then ni="$$GRAALVM_HOME/bin/native-image"; \
	else ni="$$(command -v native-image || true)"; fi; \
	rm -f $(BUILT_ZIP) $(BUILT_ZIP).json; \
	if [ "$$builder" != container ] && [ -n "$$ni" ]; then \
	  echo "native-build: local native-image ($$ni); its libc must not be newer than glibc 2.34 (checked below)"; \
	  if [ "$$ni" != "$${GRAALVM_HOME:-}/bin/native-image" ]; then unset GRAALVM_HOME; fi; \
	  PATH="$$(dirname "$$ni"):$$PATH" $(MVN_LOUD) -pl function -am package -DskipTests -Dnative; \
	elif [ "$$builder" = local ]; then \
	  echo "error: NATIVE_BUILDER=local but no native-image: set NATIVE_IMAGE_HOME or GRAALVM_HOME, or put it on PATH (Mandrel or GraalVM for JDK 25, e.g. sdk install java 25-graalce)" >&2; exit 1; \
	elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then \
	  ni=""; echo "native-build: container build with docker (Mandrel builder image, UBI 9)"; \
	  $(MVN_LOUD) -pl function -am package -DskipTests -Dnative -Dquarkus.native.container-build=true -Dquarkus.native.container-runtime=docker; \
	elif command -v podman >/dev/null 2>&1; then \
	  ni=""; echo "native-build: container build with podman (Mandrel builder image, UBI 9)"; \
	  $(MVN_LOUD) -pl function -am package -DskipTests -Dnative -Dquarkus.native.container-build=true -Dquarkus.native.container-runtime=podman; \
	else \
	  echo "error: a native build needs one of:" >&2; \
	  echo "  - a running container engine (docker or podman): Quarkus builds inside quay.io/quarkus/ubi9-quarkus-mandrel-builder-image:jdk-25" >&2; \
	  echo "  - Mandrel or GraalVM for JDK 25: NATIVE_IMAGE_HOME or GRAALVM_HOME set to it, or native-image on PATH (on a distribution whose glibc is at most 2.34)" >&2; \
	  echo "  No GraalVM and no Docker? Use a released zip instead: make fetch-release VERSION=vX.Y.Z" >&2; \
	  exit 1; fi; \
	bash $(ROOT)/.ci/native-package.sh $(BUILT_ZIP) $(NATIVE_ZIP) "$$ni"
	@echo "native-build: $(NATIVE_ZIP) (run it locally: make demo FUNCTION_ZIP=$(NATIVE_ZIP))"

$(FUNCTION_ZIP):
	@if [ "$@" != "$(BUILT_ZIP)" ]; then echo "error: FUNCTION_ZIP=$@ does not exist (make native-build, or make fetch-release)" >&2; exit 1; fi
	$(MAKE) package

.PHONY: fetch-release
fetch-release: ## Download a released function zip and verify its SHA256SUMS: VERSION=v0.2.0 [KIND=native|jvm] [ARCH=x86_64|arm64]
	@if [ -z "$(VERSION)" ]; then echo "error: VERSION is required, e.g. make fetch-release VERSION=v0.2.0 KIND=native ARCH=arm64" >&2; exit 2; fi
	@bash $(ROOT)/.ci/fetch-release.sh "$(VERSION)" "$(or $(KIND),native)" "$(or $(ARCH),x86_64)"

# The local stack's classes and runtime classpath (local/pom.xml writes classpath.txt), built in
# the work tree and reused by up/demo; nothing is installed into ~/.m2. The modules it is built
# from (contract, iotdata) are on that classpath from their target/ here: a change there rebuilds too.
$(LOCAL_CP): $(ROOT)/local/pom.xml $(shell find $(ROOT)/local/src/main $(ROOT)/contract/src/main $(ROOT)/iotdata/src/main -type f 2>/dev/null)
	$(FIRST_BUILD_NOTE)
	$(MVN) -pl local -am package -DskipTests

# JDK 24+ warns when HiveMQ's JNA loads native code and when Pekko (in ElasticMQ) uses
# sun.misc.Unsafe (JEP 472, JEP 498); both are expected here, so allowed on JDKs that know the options.
JVM_ALLOW   := $(shell $(ROOT)/.ci/jvm-allow $(JDK) 2>/dev/null)
LOCAL_JAVA = $(JDK)/bin/java $(JVM_ALLOW) -cp "$(ROOT)/local/target/classes:$$(cat $(LOCAL_CP))"

.PHONY: print-java
print-java: check-java ## Print the java command line up/demo run the local stack with (builds it if needed)
	@$(MAKE) -s --no-print-directory $(LOCAL_CP) >&2
	@echo $(LOCAL_JAVA)

.PHONY: up
up: check-java $(FUNCTION_ZIP) $(LOCAL_CP) ## Run the local two-account stack in the foreground (Ctrl-C stops it)
	@mkdir -p $(ROOT)/local/run
	@# 130/143: stopped by Ctrl-C or make down (SIGINT/SIGTERM), the way to stop it
	@$(LOCAL_JAVA) dev.iotbridge.local.LocalStackMain --config $(ROOT)/local/bridge.local.json --function $(FUNCTION_ZIP) --pid-file $(ROOT)/local/run/stack.pid \
	  || { rc=$$?; [ $$rc -eq 130 ] || [ $$rc -eq 143 ] || exit $$rc; }

.PHONY: down
down: ## Stop a local stack started with `make up` in another terminal
	@if [ -f $(ROOT)/local/run/stack.pid ] && kill -0 "$$(cat $(ROOT)/local/run/stack.pid)" 2>/dev/null; then \
	  kill "$$(cat $(ROOT)/local/run/stack.pid)" && echo "local stack stopped"; \
	else echo "no local stack running"; fi
	@rm -f $(ROOT)/local/run/stack.pid

.PHONY: demo
demo: check-java $(FUNCTION_ZIP) $(LOCAL_CP) ## Start the local stack, send sample messages across both accounts, show them arrive, stop
	@$(LOCAL_JAVA) dev.iotbridge.local.DemoMain --config $(ROOT)/local/bridge.local.json --function $(FUNCTION_ZIP)

# BENCH_ARGS: runner flags passed through (harness/run.sh --help), e.g. the native CI job's
# BENCH_ARGS="--native-zip dist/native/function.zip --competitors native,jvm,concurrent --out out.json".
.PHONY: bench
bench: check-java ## Benchmarks side by side with the Python handlers (prints tables, writes docs/benchmarks.md, docs/cost.md)
	bash $(ROOT)/harness/run.sh $(BENCH_ARGS)

# The load run (dev.iotbridge.harness.load.Load, issue 23): for N = 1, 2, 4 function instances (the mapping's
# maximum concurrency) the offered rate rises in steps, then one step holds the destination's iot-data
# quota below it. Runs the native zip when `make native-build` made one, else the JVM zip (built when
# missing). Writes harness/results/load/<UTC time>.json/.md, latest.json/.md; about 13 minutes.
# LOAD_ARGS: its flags, e.g. LOAD_ARGS="--instances 1,2 --rates 100,200" or "--help";
# LOAD_ARGS="--report-from harness/results/load/X.json" compares a recorded run with the capacity model again.
BENCH_CP    := $(ROOT)/harness/target/classpath.txt
.PHONY: load
load: check-java ## Multi-instance load run on the local stack: N = 1, 2, 4 instances, rising rate, iot-data quota back-pressure (harness/results/load/)
	@if [ ! -f $(NATIVE_ZIP) ] && [ ! -f $(BUILT_ZIP) ]; then $(MAKE) --no-print-directory package; fi
	$(FIRST_BUILD_NOTE)
	$(MVN) -pl harness -am package -DskipTests
	$(JDK)/bin/java -XX:+UseParallelGC -Xmx1g $(JVM_ALLOW) -Dlogback.configurationFile=$(ROOT)/harness/logback.xml \
	  -cp "$(ROOT)/harness/target/classes:$$(cat $(BENCH_CP))" dev.iotbridge.harness.load.Load --bench-dir $(ROOT)/harness --java-home $(JDK) \
	  --command 'make load$(if $(LOAD_ARGS), LOAD_ARGS="$(LOAD_ARGS)")' $(LOAD_ARGS)

.PHONY: chaos
chaos: check-java ## Fault-injection suite on the local stack, lost must be 0 (ARGS="--quick" for a short run; FUNCTION_ZIP= e.g. the native zip)
	FUNCTION_ZIP=$(FUNCTION_ZIP) bash $(ROOT)/.ci/chaos.sh

# The capacity model (docs/capacity.md): Python 3 standard library only.
CAPACITY    := python3 $(ROOT)/harness/capacity/capacity.py

.PHONY: capacity
capacity: ## Capacity plan for a rate from the committed bench results: RATE=10000 [PAYLOAD=bytes] [BATCH=10] [MEMORY=512] [MODE=standard|provisioned]
	@if [ -z "$(RATE)" ]; then echo "error: RATE (messages per second) is required, e.g. make capacity RATE=10000 MODE=provisioned" >&2; exit 2; fi
	@$(CAPACITY) plan --rate "$(RATE)" $(if $(PAYLOAD),--payload "$(PAYLOAD)") $(if $(BATCH),--batch "$(BATCH)") \
	  $(if $(MEMORY),--memory "$(MEMORY)") $(if $(MODE),--mode "$(MODE)") $(CAPACITY_ARGS)

# The latency sweep (issue 23): the bench's end-to-end scenario on one native instance at 5 %, 25 %, 50 %,
# 70 %, 80 % and 95 % of its capacity measured by the bench, three passes; writes
# harness/results/analysis/latency-sweep-<UTC time>.json and latency-sweep-latest.json, which the
# capacity model's latency reads. About 35 minutes on a quiet machine. Needs the native zip (make native-build).
# SWEEP_ARGS: e.g. SWEEP_ARGS="--repeats 3" or SWEEP_ARGS='--note "taken while other builds ran"'; --help lists them.
.PHONY: latency-sweep
latency-sweep: check-java ## End-to-end latency at several rates on one instance: the capacity model's latency input (about 35 min)
	$(FIRST_BUILD_NOTE)
	$(MVN) -pl local,harness -am package -DskipTests
	$(CAPACITY) sweep --command 'make latency-sweep$(if $(SWEEP_ARGS), SWEEP_ARGS="$(SWEEP_ARGS)")' $(SWEEP_ARGS)

.PHONY: capacity-report
capacity-report: ## Rewrite docs/capacity.md's generated parts (inputs, the latency sweep, the plan for 10,000 msg/s, model vs harness/results/load/latest.json) and docs/capacity.png
	@bash $(ROOT)/harness/setup.sh >/dev/null
	@$(ROOT)/harness/.venv/bin/python $(ROOT)/harness/capacity/capacity.py report --chart

.PHONY: capacity-test
capacity-test: ## The capacity model's tests (against the committed bench results)
	cd $(ROOT)/harness/capacity && python3 -m unittest discover -s tests

FUZZ_SECONDS ?= 60
.PHONY: fuzz
fuzz: check-java ## Jazzer fuzzing of the envelope parser, routes and topic validation, FUZZ_SECONDS (60) per target; grows the committed corpus
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash $(ROOT)/.ci/fuzz.sh

.PHONY: lint
lint: ## Terraform format check, tflint, checkov, policy checks, actionlint (installs missing tools)
	bash $(ROOT)/.ci/lint.sh

.PHONY: docs-terraform
docs-terraform: ## Regenerate the terraform-docs sections of terraform/README.md, the module READMEs and terraform/bootstrap/README.md
	@PATH="$$(go env GOPATH)/bin:$$PATH"; command -v terraform-docs >/dev/null || { echo "error: terraform-docs is missing: run 'make lint' once (it installs it)" >&2; exit 1; }; \
	for d in $(TF_DIR) $(TF_DIR)/modules/source $(TF_DIR)/modules/destination $(TF_DIR)/bootstrap $(TF_DIR)/examples/high-throughput; do terraform-docs --config $(TF_DIR)/.terraform-docs.yml $$d; done

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

# make doctor and make redrive reach the local stack while `make up` runs (it writes
# local/run/outputs.json and its pid file), else the deployment of terraform/ - unless the
# arguments name a target themselves.
OPS_TARGET_FLAGS := --local --outputs% --terraform-dir% --queue-url% --dlq-url%
ops_target = $(if $(filter $(OPS_TARGET_FLAGS),$(1)),,$$(if [ -f $(ROOT)/local/run/outputs.json ] && [ -f $(ROOT)/local/run/stack.pid ] && kill -0 "$$(cat $(ROOT)/local/run/stack.pid)" 2>/dev/null; then echo --local; fi))

.PHONY: doctor
doctor: ## Configuration checks + canary: the local stack if `make up` runs, else the deployment of terraform/ (DOCTOR_ARGS="--help")
	@TF=$(TF) $(OPS) doctor $(call ops_target,$(DOCTOR_ARGS)) $(DOCTOR_ARGS)

.PHONY: redrive
redrive: ## List the DLQ by BridgeErrorCode, move chosen records back (dry run unless ARGS="--codes CODE --apply"); same target as doctor (ARGS="--help")
	@TF=$(TF) $(OPS) redrive $(call ops_target,$(ARGS)) $(ARGS)

.PHONY: ops-test
ops-test: check-java $(FUNCTION_ZIP) $(LOCAL_CP) ## The ops tool's tests (pytest): doctor and redrive against a real local stack (PYTEST_ARGS="-k redrive")
	@bash $(ROOT)/ops/setup.sh
	cd $(ROOT)/ops && OPS_TEST_JAVA=$(JDK)/bin/java .venv/bin/python -m pytest $(PYTEST_ARGS)

.PHONY: e2e-terraform
# After the apply, doctor's configuration checks run against the emulator (no canary: it has no
# IoT data plane); E2E_DOCTOR= (empty) skips them.
E2E_DOCTOR ?= AWS_ACCESS_KEY_ID=e2e-source AWS_SECRET_ACCESS_KEY=e2e-source $(OPS) doctor --outputs "$$E2E_OUTPUTS_JSON" --endpoint-url "$$AWS_ENDPOINT_URL" --no-canary

e2e-terraform: check-terraform ## On a local AWS API emulator (moto, in .venv-e2e): bootstrap the deploy roles, apply/plan/destroy the root as them, check doctor and every IAM call (E2E_RECORD=1 refreshes terraform/bootstrap/recorded-calls)
	$(if $(E2E_DOCTOR),@bash $(ROOT)/ops/setup.sh)
	TF=$(TF) DOCTOR_CMD='$(E2E_DOCTOR)' E2E_RECORD='$(E2E_RECORD)' bash $(TF_DIR)/tests/e2e/run.sh

.PHONY: clean
clean: ## Remove build outputs and local stack state
	$(MVN) clean
	rm -rf $(ROOT)/local/run
