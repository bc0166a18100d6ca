"""iot-bridge doctor: checks that a deployment of the bridge (AWS, an AWS API emulator, or the
local stack) is wired as Terraform says, and sends a canary message through it."""
