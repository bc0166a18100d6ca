"""One real local stack for the whole session (support.py says what it needs)."""
import json
import pathlib
import signal
import subprocess
import tempfile
import time

import pytest

from support import STACK_START_SECONDS, LocalStack, stack_command


@pytest.fixture(scope="session")
def stack():
    with tempfile.TemporaryDirectory(prefix="iot-bridge-ops-") as tmp:
        outputs = pathlib.Path(tmp) / "outputs.json"
        log_file = pathlib.Path(tmp) / "stack.log"
        with open(log_file, "w") as log:
            proc = subprocess.Popen(stack_command(outputs), cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
            try:
                deadline = time.monotonic() + STACK_START_SECONDS
                while not outputs.exists():
                    if proc.poll() is not None or time.monotonic() > deadline:
                        pytest.fail("the local stack did not start:\n" + log_file.read_text()[-4000:])
                    time.sleep(1)
                yield LocalStack(outputs, json.loads(outputs.read_text())["doctor"]["value"], log_file)
            finally:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
                    try:
                        proc.wait(60)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
