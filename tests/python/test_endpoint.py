"""`cloudlab sandbox serve` driven by the real AWS SDK (boto3) and CLI (issue 10).

One server for the module; each test uses its own resource names.
"""

import json
import os
import pathlib
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import boto3
import botocore.config
import pytest

CREDS = {
    "aws_access_key_id": "AKIDEXAMPLE",
    "aws_secret_access_key": "secret",
    "region_name": "us-east-1",
}


@pytest.fixture(scope="module")
def endpoint(cloudlab_bin):
    proc = subprocess.Popen(
        [str(cloudlab_bin), "sandbox", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    assert line.startswith("listening on http://"), line + proc.stderr.read()
    url = line.split()[-1]
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def aws(endpoint):
    config = botocore.config.Config(retries={"max_attempts": 1})

    def client(service):
        return boto3.client(service, endpoint_url=endpoint, config=config, **CREDS)

    return client


def raw(endpoint, path, body=b"", headers=None, method="POST"):
    req = urllib.request.Request(endpoint + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def advance(endpoint, seconds):
    status, _, body = raw(endpoint, "/_cloudlab/advance", json.dumps({"seconds": seconds}).encode())
    assert status == 200, body
    return json.loads(body)


def test_sqs_send_receive_delete(aws):
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    assert url.endswith("/123456789012/orders")
    sent = sqs.send_message(
        QueueUrl=url,
        MessageBody="order #1",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "new"}},
    )
    got = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )["Messages"]
    assert [m["Body"] for m in got] == ["order #1"]
    assert got[0]["MessageId"] == sent["MessageId"]
    assert got[0]["MessageAttributes"]["kind"]["StringValue"] == "new"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0"
    assert url in sqs.list_queues()["QueueUrls"]


def test_sqs_errors_raise_modelled_exceptions(aws):
    sqs = aws("sqs")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as e:
        sqs.get_queue_url(QueueName="no-such-queue")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    url = sqs.create_queue(QueueName="errors")["QueueUrl"]
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.delete_message(QueueUrl=url, ReceiptHandle="garbage")


def test_advance_makes_a_delayed_message_visible(aws, endpoint):
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName="delayed")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
    before = advance(endpoint, 0)["elapsed_seconds"]
    after = advance(endpoint, 61)["elapsed_seconds"]
    assert after - before == pytest.approx(61)
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)["Messages"]
    assert got[0]["Body"] == "later"


def test_sns_publish_fans_out_to_sqs(aws, endpoint):
    sns, sqs = aws("sns"), aws("sqs")
    topic = sns.create_topic(Name="orders-topic", Attributes={"DisplayName": "Orders"})["TopicArn"]
    url = sqs.create_queue(QueueName="orders-copy")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sub = sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=qarn,
        Attributes={"RawMessageDelivery": "true"},
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    assert sub.startswith(topic + ":")
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["DisplayName"] == "Orders"
    assert [s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]] == [sub]
    msg_id = sns.publish(
        TopicArn=topic,
        Message="hello",
        MessageAttributes={"color": {"DataType": "String", "StringValue": "red"}},
    )["MessageId"]
    assert msg_id
    advance(endpoint, 1)
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MessageAttributeNames=["All"])["Messages"]
    assert got[0]["Body"] == "hello"
    assert got[0]["MessageAttributes"]["color"]["StringValue"] == "red"
    assert topic in [t["TopicArn"] for t in sns.list_topics()["Topics"]]


def test_sns_errors(aws):
    sns = aws("sns")
    with pytest.raises(sns.exceptions.NotFoundException) as e:
        sns.get_topic_attributes(TopicArn="arn:aws:sns:us-east-1:123456789012:missing")
    assert e.value.response["Error"]["Code"] == "NotFound"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.create_topic(Name="bad name!")


def test_lambda_invoke_and_not_found(aws):
    lam = aws("lambda")
    created = lam.create_function(
        FunctionName="echo",
        Runtime="cloudlab.builtin",
        Handler="echo",
        Role="arn:aws:iam::123456789012:role/lambda",
        Code={"ZipFile": b"PK\x03\x04"},
    )
    assert created["FunctionName"] == "echo"
    out = lam.invoke(FunctionName="echo", Payload=json.dumps({"n": 1}))
    assert out["StatusCode"] == 200
    assert json.loads(out["Payload"].read()) == {"n": 1}
    assert out["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in out
    event = lam.invoke(FunctionName="echo", InvocationType="Event", Payload=b"{}")
    assert event["StatusCode"] == 202
    assert "echo" in [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    assert lam.get_function(FunctionName="echo")["Configuration"]["Handler"] == "echo"
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.invoke(FunctionName="missing", Payload=b"{}")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    failing = lam.create_function(
        FunctionName="boom",
        Runtime="cloudlab.builtin",
        Handler="fail",
        Role="arn:aws:iam::123456789012:role/lambda",
        Code={"ZipFile": b"PK\x03\x04"},
    )
    assert failing["FunctionName"] == "boom"
    out = lam.invoke(FunctionName="boom", Payload=b"{}")
    assert out["FunctionError"] == "Unhandled"
    lam.put_function_concurrency(FunctionName="echo", ReservedConcurrentExecutions=5)
    assert lam.get_function_concurrency(FunctionName="echo")["ReservedConcurrentExecutions"] == 5
    lam.add_permission(
        FunctionName="echo",
        StatementId="sns",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
    )
    assert "sns.amazonaws.com" in lam.get_policy(FunctionName="echo")["Policy"]
    lam.delete_function(FunctionName="boom")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName="boom")


def test_step_functions(aws, endpoint):
    sfn = aws("stepfunctions")
    definition = {
        "StartAt": "Hello",
        "States": {"Hello": {"Type": "Pass", "Result": {"greeting": "hi"}, "End": True}},
    }
    arn = sfn.create_state_machine(
        name="hello",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/sfn",
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"x": 1}))["executionArn"]
    advance(endpoint, 1)
    described = sfn.describe_execution(executionArn=execution)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"greeting": "hi"}
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.start_execution(stateMachineArn=arn + "-missing")


def test_eventbridge_rule_to_sqs(aws, endpoint):
    events, sqs = aws("events"), aws("sqs")
    url = sqs.create_queue(QueueName="events-target")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop"]}))
    assert events.put_targets(Rule="orders", Targets=[{"Id": "q", "Arn": qarn}])["FailedEntryCount"] == 0
    put = events.put_events(
        Entries=[
            {"Source": "shop", "DetailType": "OrderPlaced", "Detail": json.dumps({"id": 7})},
            {"Source": "other", "DetailType": "x", "Detail": "{}"},
        ]
    )
    assert put["FailedEntryCount"] == 0
    advance(endpoint, 1)
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
    assert [json.loads(m["Body"])["detail"] for m in got] == [{"id": 7}]
    with pytest.raises(events.exceptions.ResourceNotFoundException):
        events.put_targets(Rule="missing", Targets=[{"Id": "q", "Arn": qarn}])


def test_kinesis_put_and_get(aws, endpoint):
    kinesis = aws("kinesis")
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    advance(endpoint, 60)
    desc = kinesis.describe_stream(StreamName="clicks")["StreamDescription"]
    assert desc["StreamStatus"] == "ACTIVE"
    put = kinesis.put_record(StreamName="clicks", Data=b"click-1", PartitionKey="user-1")
    shard = put["ShardId"]
    it = kinesis.get_shard_iterator(StreamName="clicks", ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    records = kinesis.get_records(ShardIterator=it)["Records"]
    assert [r["Data"] for r in records] == [b"click-1"]
    with pytest.raises(kinesis.exceptions.ResourceNotFoundException):
        kinesis.describe_stream(StreamName="missing")


def test_s3_objects(aws):
    s3 = aws("s3")
    s3.create_bucket(Bucket="course-bucket")
    s3.put_object(Bucket="course-bucket", Key="notes/a.txt", Body=b"hello", ContentType="text/plain")
    s3.put_object(Bucket="course-bucket", Key="bin", Body=bytes(range(256)))
    got = s3.get_object(Bucket="course-bucket", Key="notes/a.txt")
    assert got["Body"].read() == b"hello"
    assert got["ContentType"] == "text/plain"
    assert s3.get_object(Bucket="course-bucket", Key="bin")["Body"].read() == bytes(range(256))
    assert s3.head_object(Bucket="course-bucket", Key="notes/a.txt")["ContentLength"] == 5
    listed = s3.list_objects_v2(Bucket="course-bucket", Prefix="notes/")
    assert [o["Key"] for o in listed["Contents"]] == ["notes/a.txt"]
    assert "course-bucket" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket="course-bucket", Key="missing")
    with pytest.raises(s3.exceptions.NoSuchBucket):
        s3.list_objects_v2(Bucket="missing-bucket")
    s3.delete_object(Bucket="course-bucket", Key="bin")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="course-bucket")["Contents"]] == ["notes/a.txt"]


def test_s3_virtual_host_bucket(endpoint, aws):
    aws("s3").create_bucket(Bucket="vhost-bucket")
    port = endpoint.rsplit(":", 1)[1]
    status, _, _ = raw(endpoint, "/k.txt", b"virtual", {"Host": f"vhost-bucket.localhost:{port}"}, "PUT")
    assert status == 200
    assert aws("s3").get_object(Bucket="vhost-bucket", Key="k.txt")["Body"].read() == b"virtual"


def test_sqs_query_protocol(endpoint):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, body = raw(endpoint, "/", b"Action=CreateQueue&QueueName=legacy&Version=2012-11-05", form)
    assert status == 200, body
    assert b"<CreateQueueResult><QueueUrl>" in body
    status, _, body = raw(endpoint, "/", b"Action=GetQueueUrl&QueueName=nope", form)
    assert status == 400
    assert b"<Code>AWS.SimpleQueueService.NonExistentQueue</Code>" in body


def test_bad_requests_get_aws_errors(endpoint):
    status, _, body = raw(endpoint, "/", b"{not json", {"X-Amz-Target": "AmazonSQS.ListQueues"})
    assert status == 400
    assert json.loads(body)["__type"] == "SerializationException"
    status, _, body = raw(endpoint, "/", b"{}", {"X-Amz-Target": "AmazonSQS.Frobnicate"})
    assert json.loads(body)["__type"] == "UnknownOperationException"
    status, _, body = raw(endpoint, "/", b"{}", {"X-Amz-Target": "DynamoDB_20120810.GetItem"})
    assert status == 400
    assert json.loads(body)["__type"] == "UnknownServiceException"
    status, _, body = raw(endpoint, "/", b"Version=2010-03-31", {
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/sns/aws4_request",
    })
    assert status == 400 and b"<Code>MissingAction</Code>" in body
    status, _, body = raw(endpoint, "/_cloudlab/health", method="GET")
    assert status == 200 and json.loads(body)["status"] == "ok"


def test_aws_cli(endpoint):
    aws = pathlib.Path(sys.executable).parent / "aws"
    if not aws.exists():
        pytest.skip("the AWS CLI (awscli) is not installed next to this Python")
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_DEFAULT_REGION="us-east-1",
    )

    def cli(*args, ok=True):
        r = subprocess.run(
            [str(aws), "--endpoint-url", endpoint, "--output", "json", *args],
            capture_output=True, text=True, env=env, timeout=60,
        )
        assert (r.returncode == 0) == ok, r.stderr
        return r

    url = json.loads(cli("sqs", "create-queue", "--queue-name", "cli-queue").stdout)["QueueUrl"]
    cli("sqs", "send-message", "--queue-url", url, "--message-body", "from the cli")
    got = json.loads(cli("sqs", "receive-message", "--queue-url", url).stdout)
    assert got["Messages"][0]["Body"] == "from the cli"
    topic = json.loads(cli("sns", "create-topic", "--name", "cli-topic").stdout)["TopicArn"]
    assert topic in cli("sns", "list-topics").stdout
    r = cli("sqs", "get-queue-url", "--queue-name", "cli-missing", ok=False)
    assert "NonExistentQueue" in r.stderr


def test_cloudwatch_over_cbor(aws, endpoint):
    import datetime

    cw = aws("cloudwatch")
    t0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cw.put_metric_data(
        Namespace="Shop",
        MetricData=[{"MetricName": "Orders", "Value": 3.0, "Unit": "Count", "Timestamp": t0}],
    )
    metrics = cw.list_metrics(Namespace="Shop")["Metrics"]
    assert [m["MetricName"] for m in metrics] == ["Orders"]
    stats = cw.get_metric_statistics(
        Namespace="Shop",
        MetricName="Orders",
        StartTime=t0,
        EndTime=t0 + datetime.timedelta(hours=1),
        Period=60,
        Statistics=["Sum"],
    )["Datapoints"]
    assert [d["Sum"] for d in stats] == [3.0]
    assert isinstance(stats[0]["Timestamp"], datetime.datetime)
    with pytest.raises(cw.exceptions.ResourceNotFound):
        cw.set_alarm_state(AlarmName="missing", StateValue="ALARM", StateReason="test")


def test_firehose_to_s3(aws, endpoint):
    firehose, s3 = aws("firehose"), aws("s3")
    s3.create_bucket(Bucket="firehose-out")
    firehose.create_delivery_stream(
        DeliveryStreamName="clicks-to-s3",
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/firehose",
            "BucketARN": "arn:aws:s3:::firehose-out",
            "BufferingHints": {"IntervalInSeconds": 60, "SizeInMBs": 1},
        },
    )
    advance(endpoint, 10)
    firehose.put_record(DeliveryStreamName="clicks-to-s3", Record={"Data": b"click\n"})
    advance(endpoint, 120)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="firehose-out").get("Contents", [])]
    assert len(keys) == 1
    assert s3.get_object(Bucket="firehose-out", Key=keys[0])["Body"].read() == b"click\n"


def test_lambda_reads_sqs_through_an_event_source_mapping(aws, endpoint):
    lam, sqs = aws("lambda"), aws("sqs")
    url = sqs.create_queue(QueueName="esm-source")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_function(
        FunctionName="esm-echo",
        Runtime="cloudlab.builtin",
        Handler="echo",
        Role="arn:aws:iam::123456789012:role/lambda",
        Code={"ZipFile": b"PK\x03\x04"},
    )
    mapping = lam.create_event_source_mapping(EventSourceArn=qarn, FunctionName="esm-echo", BatchSize=10)
    assert lam.get_event_source_mapping(UUID=mapping["UUID"])["EventSourceArn"] == qarn
    sqs.send_message(QueueUrl=url, MessageBody="for lambda")
    advance(endpoint, 30)
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0"
    assert attrs["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_sqs_query_send_and_receive(endpoint):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, body = raw(endpoint, "/", b"Action=CreateQueue&QueueName=legacy-rx", form)
    url = body.split(b"<QueueUrl>")[1].split(b"</QueueUrl>")[0].decode()
    q = urllib.parse.quote(url, safe="")
    status, _, body = raw(endpoint, "/", f"Action=SendMessage&QueueUrl={q}&MessageBody=a%26b".encode(), form)
    assert status == 200 and b"<MD5OfMessageBody>" in body, body
    status, _, body = raw(
        endpoint, "/", f"Action=ReceiveMessage&QueueUrl={q}&AttributeName.1=All&MaxNumberOfMessages=5".encode(), form
    )
    assert status == 200, body
    assert b"<Message>" in body and b"<Body>a&amp;b</Body>" in body
    assert b"<Attribute><Name>SenderId</Name>" in body


def test_realtime_clock(cloudlab_bin):
    proc = subprocess.Popen(
        [str(cloudlab_bin), "sandbox", "serve", "--port", "0", "--realtime"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().split()[-1]
        import time

        time.sleep(0.5)
        _, _, body = raw(url, "/_cloudlab/health", method="GET")
        assert json.loads(body)["elapsed_seconds"] > 0.2
    finally:
        proc.terminate()
        proc.wait(timeout=10)
