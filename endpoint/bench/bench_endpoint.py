"""boto3 SQS send+receive+delete loop: the cloudlab endpoint vs moto's mock_aws.

Run by `cloudlab bench endpoint` (which starts the endpoint and passes its URL).
Prints one JSON line: {"endpoint": msgs_per_s, "moto": msgs_per_s, "raw": msgs_per_s}
("raw" is the same loop over plain http.client, no SDK: the server's share).
"""

import argparse
import json
import os
import time

import boto3


def loop(sqs, n):
    url = sqs.create_queue(QueueName="bench")["QueueUrl"]
    # one warm-up round trip (connection, client caches)
    sqs.send_message(QueueUrl=url, MessageBody="warm")
    for m in sqs.receive_message(QueueUrl=url).get("Messages", []):
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    start = time.perf_counter()
    for i in range(n):
        sqs.send_message(QueueUrl=url, MessageBody=f"message {i}")
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages", [])
        if not got:
            raise SystemExit(f"message {i} was not received")
        sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
    return n / (time.perf_counter() - start)


def raw_loop(endpoint, n):
    """The same loop over plain http.client: the server's share of the time."""
    import http.client

    conn = http.client.HTTPConnection(endpoint.split("//", 1)[1])

    def call(op, body):
        conn.request(
            "POST",
            "/",
            json.dumps(body),
            {"X-Amz-Target": "AmazonSQS." + op, "Content-Type": "application/x-amz-json-1.0"},
        )
        return json.loads(conn.getresponse().read() or b"{}")

    url = call("CreateQueue", {"QueueName": "bench-raw"})["QueueUrl"]
    start = time.perf_counter()
    for i in range(n):
        call("SendMessage", {"QueueUrl": url, "MessageBody": f"message {i}"})
        m = call("ReceiveMessage", {"QueueUrl": url})["Messages"][0]
        call("DeleteMessage", {"QueueUrl": url, "ReceiptHandle": m["ReceiptHandle"]})
    return n / (time.perf_counter() - start)


def client(endpoint=None):
    return boto3.client(
        "sqs",
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        endpoint_url=endpoint,
    )


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--messages", type=int, default=500)
    a = p.parse_args()
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(var, None)
    endpoint = loop(client(a.endpoint), a.messages)
    raw = raw_loop(a.endpoint, a.messages)
    from moto import mock_aws

    with mock_aws():
        moto = loop(client(), a.messages)
    print(json.dumps({"endpoint": endpoint, "moto": moto, "raw": raw}))


if __name__ == "__main__":
    main()
