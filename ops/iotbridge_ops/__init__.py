"""iot-bridge operations tool: `doctor` checks that a deployment of the bridge (AWS, an AWS API
emulator, or the local stack) is wired as Terraform says and sends a canary through it; `redrive`
lists the dead-letter queue by error code and moves chosen records back. Both reach the deployment
the same way (target.py)."""
