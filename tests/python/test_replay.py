"""`cloudlab sandbox replay` as a command: exit codes and output shape."""

import json
import subprocess


def run(cloudlab_bin, script: str):
    return subprocess.run(
        [str(cloudlab_bin), "sandbox", "replay", "-"],
        input=script, capture_output=True, text=True, timeout=60,
    )


def test_one_output_line_per_step(cloudlab_bin):
    script = "\n".join([
        json.dumps({"comment": "hi"}),
        json.dumps({"call": "sqs.CreateQueue", "params": {"QueueName": "q"}}),
        json.dumps({"advance": 2}),
        json.dumps({"call": "sqs.GetQueueUrl", "params": {"QueueName": "missing"}}),
    ])
    r = run(cloudlab_bin, script)
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert lines[0]["ok"]["QueueUrl"].endswith("/123456789012/q")
    assert lines[1] == {"ok": {"now": "2026-01-01T00:00:02Z"}}
    assert lines[2]["error"]["code"] == "QueueDoesNotExist"


def test_bad_line_exits_2_and_names_it(cloudlab_bin):
    r = run(cloudlab_bin, '{"comment": "ok"}\n{not json\n')
    assert r.returncode == 2
    assert ":2:" in r.stderr
    assert r.stdout == ""
