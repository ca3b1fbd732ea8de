"""boto3 SQS send+receive+delete loop: the cloudlab endpoint vs moto's mock_aws.

Run by `cloudlab bench endpoint` (which starts the endpoint and passes its URL).
Prints one JSON line: {"endpoint": msgs_per_s, "moto": msgs_per_s}.
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
    from moto import mock_aws

    with mock_aws():
        moto = loop(client(), a.messages)
    print(json.dumps({"endpoint": endpoint, "moto": moto}))


if __name__ == "__main__":
    main()
