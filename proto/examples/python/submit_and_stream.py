#!/usr/bin/env python3
"""Submit a request to psa.v1.AgentService and stream its events until the session ends.

A client in another language, written from the .proto files alone. Generate the stubs first:

    python3 -m grpc_tools.protoc -I proto --python_out=OUT --grpc_python_out=OUT \
        psa/v1/agent.proto psa/v1/events.proto psa/v1/agent_service.proto

then run:

    PYTHONPATH=OUT python3 proto/examples/python/submit_and_stream.py \
        --address 127.0.0.1:50051 --token "$TOKEN" --type resourcing \
        --request "Who can staff Acme's React roles next month?"

Every event is printed as one JSON line; the exit status is 0 when the session completed.
"""
import argparse
import json
import sys

import grpc
from google.protobuf import json_format

from psa.v1 import agent_pb2, agent_service_pb2, agent_service_pb2_grpc

TYPES = {
    "project_management": agent_pb2.AGENT_TYPE_PROJECT_MANAGEMENT,
    "resourcing": agent_pb2.AGENT_TYPE_RESOURCING,
    "quotes": agent_pb2.AGENT_TYPE_QUOTES,
    "orchestrator": agent_pb2.AGENT_TYPE_ORCHESTRATOR,
}
TERMINAL = {
    agent_pb2.SESSION_STATUS_COMPLETED,
    agent_pb2.SESSION_STATUS_FAILED,
    agent_pb2.SESSION_STATUS_CANCELLED,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", default="127.0.0.1:50051")
    parser.add_argument("--token", required=True, help="Supabase access token")
    parser.add_argument("--type", choices=sorted(TYPES), default="project_management")
    parser.add_argument("--request", required=True)
    parser.add_argument("--context", default="{}", help="JSON object")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()

    metadata = (("authorization", f"Bearer {args.token}"),)
    with grpc.insecure_channel(args.address) as channel:
        stub = agent_service_pb2_grpc.AgentServiceStub(channel)
        request = agent_pb2.AgentRequest(type=TYPES[args.type], request=args.request)
        request.context.update(json.loads(args.context))
        try:
            session = stub.SubmitRequest(request, metadata=metadata, timeout=10)
        except grpc.RpcError as err:
            print(json.dumps({"rpc_error": err.code().name, "details": err.details()}))
            return 2
        print(json.dumps({"submitted": json_format.MessageToDict(session)}), flush=True)

        final_status = None
        stream = stub.StreamSessionEvents(
            agent_service_pb2.StreamSessionEventsRequest(session_id=session.session_id, after_seq=0),
            metadata=metadata,
            timeout=args.timeout,
        )
        for event in stream:
            print(json.dumps(json_format.MessageToDict(event)), flush=True)
            if event.WhichOneof("payload") == "status_changed" and event.status_changed.status in TERMINAL:
                final_status = event.status_changed.status
        return 0 if final_status == agent_pb2.SESSION_STATUS_COMPLETED else 1


if __name__ == "__main__":
    sys.exit(main())
